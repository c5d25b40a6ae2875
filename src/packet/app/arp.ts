// ARP over Ethernet for IPv4 (RFC 826): who asked for whom, and who answered.
import type { ArpInfo } from '../../record.js';
import { hexText, ipv4Text } from './text.js';

/**
 * The ARP packet at buf[off..off+len) (after the Ethernet/VLAN header), or undefined when it is
 * not an Ethernet/IPv4 request or reply or is cut short. A gratuitous ARP (sender address ==
 * target address, an announcement) carries `gratuitous: true`; an ARP probe (sender 0.0.0.0,
 * RFC 5227 address conflict detection) carries `probe: true`.
 */
export function decodeArp(buf: Uint8Array, off: number, len: number): ArpInfo | undefined {
  if (!(off >= 0) || !(len >= 28) || off + 28 > buf.length) return undefined;
  // htype 1 (Ethernet), ptype 0x0800 (IPv4), hlen 6, plen 4
  if (buf[off] !== 0 || buf[off + 1] !== 1 || buf[off + 2] !== 8 || buf[off + 3] !== 0) return undefined;
  if (buf[off + 4] !== 6 || buf[off + 5] !== 4 || buf[off + 6] !== 0) return undefined;
  const code = buf[off + 7];
  if (code !== 1 && code !== 2) return undefined;
  const info: ArpInfo = {
    op: code === 1 ? 'request' : 'reply',
    sha: hexText(buf, off + 8, off + 14),
    spa: ipv4Text(buf, off + 14),
    tha: hexText(buf, off + 18, off + 24),
    tpa: ipv4Text(buf, off + 24),
  };
  const spa = off + 14;
  const tpa = off + 24;
  if (buf[spa] === buf[tpa] && buf[spa + 1] === buf[tpa + 1] && buf[spa + 2] === buf[tpa + 2] && buf[spa + 3] === buf[tpa + 3]) {
    if (info.spa !== '0.0.0.0') info.gratuitous = true;
  }
  if (code === 1 && info.spa === '0.0.0.0') info.probe = true;
  return info;
}
