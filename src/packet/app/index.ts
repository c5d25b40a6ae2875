// Application recognition for the flow meter: what the first payload packets of each direction
// say (DNS, DHCP, TLS, SSH, HTTP, SMB, RDP, NTP, mail and file-transfer banners, databases),
// folded into one summary per flow. Everything here reads hostile bytes: offsets are checked,
// nothing throws, and text taken from packets is escaped (see text.ts).
import type { DhcpInfo, DnsInfo } from '../../record.js';
import { decodeDhcp4, decodeDhcp6, mergeDhcp } from './dhcp.js';
import { decodeDns, mergeDns } from './dns.js';
import { appFromPort } from './ports.js';
import { quicInitialSni } from './quic.js';
import { sniffTls } from './tls.js';
import { u16, u32 } from './text.js';

export { appFromPort } from './ports.js';
export { communityId } from './community-id.js';
export { decodeArp } from './arp.js';

export interface PayloadContext {
  proto: 'tcp' | 'udp' | 'sctp';
  sport: number;
  dport: number;
  fromOriginator: boolean;
  /** the packet's bytes; the payload is payload[off..off+len) */
  payload: Uint8Array;
  off: number;
  len: number;
  /** packets of the flow so far, this one included */
  flowPkts: number;
}

export interface AppInfo {
  app?: string;
  dns?: DnsInfo;
  dhcp?: DhcpInfo;
  /** the server name a TLS (or QUIC Initial) ClientHello asked for, escaped like a DNS name */
  tls_sni?: string;
}

function isPort(ctx: PayloadContext, port: number): boolean {
  return ctx.sport === port || ctx.dport === port;
}

/** Does buf[o..end) start with the ASCII text s? */
function startsWith(buf: Uint8Array, o: number, end: number, s: string): boolean {
  if (end - o < s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[o + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Case-insensitive search for an upper-case ASCII word in the first line (≤ 160 bytes). */
function lineHas(buf: Uint8Array, o: number, end: number, word: string): boolean {
  const stop = Math.min(end, o + 160);
  const first = word.charCodeAt(0);
  for (let i = o; i + word.length <= stop; i++) {
    const c = buf[i];
    if (c === 10) return false;
    if ((c & 0xdf) !== first) continue;
    let j = 1;
    while (j < word.length && (buf[i + j] & 0xdf) === word.charCodeAt(j)) j++;
    if (j === word.length) return true;
  }
  return false;
}

const HTTP_METHODS = ['GET ', 'POST ', 'HEAD ', 'PUT ', 'DELETE ', 'OPTIONS ', 'CONNECT ', 'PATCH ', 'TRACE ', 'PROPFIND ', 'PROPPATCH ', 'MKCOL ', 'COPY ', 'MOVE ', 'LOCK ', 'UNLOCK ', 'SEARCH ', 'REPORT '];

/** The application of a TCP/SCTP payload from its first bytes. */
function sniffStream(ctx: PayloadContext, b: Uint8Array, o: number, end: number): AppInfo | undefined {
  const c = b[o];
  switch (c) {
    case 22: case 20: case 21: case 23: {
      const t = sniffTls(b, o, end);
      if (!t) return undefined;
      return t.sni !== undefined ? { app: 'tls', tls_sni: t.sni } : { app: 'tls' };
    }
    case 0: {
      if (end - o < 8) return undefined;
      // NetBIOS session message, then the SMB1 (\xffSMB), SMB2/3 (\xfeSMB) or transform (\xfdSMB) header
      const m = b[o + 4];
      if ((m === 0xff || m === 0xfe || m === 0xfd) && b[o + 5] === 0x53 && b[o + 6] === 0x4d && b[o + 7] === 0x42) return { app: 'smb' };
      // PostgreSQL startup (protocol 3.0), SSLRequest, GSSENCRequest or CancelRequest: length then code
      const l = u32(b, o);
      const code = u32(b, o + 4);
      if ((code === 196608 && l >= 8 && l <= 10000) || ((code === 80877103 || code === 80877104) && l === 8) || (code === 80877102 && l === 16)) return { app: 'postgres' };
      return undefined;
    }
    case 0x81:
      // NetBIOS session request (SMB over port 139)
      return isPort(ctx, 139) && end - o >= 4 && b[o + 1] === 0 ? { app: 'smb' } : sniffTlsOrDb(b, o, end);
    case 3: {
      // TPKT version 3, then X.224 connection request (0xE0) or confirm (0xD0); port 102 is ISO-TSAP (S7)
      if (end - o < 11 || b[o + 1] !== 0 || isPort(ctx, 102)) return sniffDb(b, o, end);
      const li = b[o + 4];
      const tp = b[o + 5] & 0xf0;
      if (u16(b, o + 2) >= 11 && li >= 6 && li + 5 <= u16(b, o + 2) && (tp === 0xe0 || tp === 0xd0)) return { app: 'rdp' };
      return sniffDb(b, o, end);
    }
    case 0xff:
      // telnet option negotiation: IAC DO/DONT/WILL/WONT option
      if (end - o >= 3 && b[o + 1] >= 0xfb && b[o + 1] <= 0xfe && (end - o === 3 || b[o + 3] === 0xff)) return { app: 'telnet' };
      return sniffDb(b, o, end);
  }
  if (c >= 0x20 && c < 0x7f) {
    if (startsWith(b, o, end, 'SSH-') && end - o >= 6 && b[o + 4] >= 0x31 && b[o + 4] <= 0x39 && b[o + 5] === 0x2e) return { app: 'ssh' };
    if (startsWith(b, o, end, 'HTTP/1.') || startsWith(b, o, end, 'PRI * HTTP/2.0')) return { app: 'http' };
    for (const m of HTTP_METHODS) if (c === m.charCodeAt(0) && startsWith(b, o, end, m)) return { app: 'http' };
    if (startsWith(b, o, end, '220') && (b[o + 3] === 0x20 || b[o + 3] === 0x2d)) {
      if (lineHas(b, o + 4, end, 'FTP')) return { app: 'ftp' };
      if (lineHas(b, o + 4, end, 'SMTP') || lineHas(b, o + 4, end, 'MAIL')) return { app: 'smtp' };
      if (isPort(ctx, 21)) return { app: 'ftp' };
      if (isPort(ctx, 25) || isPort(ctx, 587) || isPort(ctx, 2525)) return { app: 'smtp' };
      return undefined;
    }
    if (startsWith(b, o, end, 'EHLO ') || startsWith(b, o, end, 'HELO ')) return { app: 'smtp' };
    // "+OK text" is a POP3 reply; a bare "+OK\r\n" is as likely Redis (RESP), so the port decides
    if (startsWith(b, o, end, '+OK ')) return { app: 'pop3' };
    if (startsWith(b, o, end, '+OK\r\n')) return isPort(ctx, 110) ? { app: 'pop3' } : isPort(ctx, 6379) ? { app: 'redis' } : undefined;
    // a RESP command: an array header, then a bulk string ("*1\r\n$4\r\nPING")
    if (c === 0x2a && end - o >= 6 && b[o + 1] >= 0x31 && b[o + 1] <= 0x39 && respBulk(b, o + 2, end)) return { app: 'redis' };
    if (startsWith(b, o, end, '* OK') || startsWith(b, o, end, '* PREAUTH')) return { app: 'imap' };
    if (startsWith(b, o, end, 'RFB 0')) return { app: 'vnc' };
  }
  if (c >= 0x80) return sniffTlsOrDb(b, o, end);
  return sniffDb(b, o, end);
}

/** After "*N", more digits, then "\r\n$" and a digit. */
function respBulk(b: Uint8Array, i: number, end: number): boolean {
  const stop = Math.min(end, i + 8);
  while (i < stop && b[i] >= 0x30 && b[i] <= 0x39) i++;
  return i + 3 < end && b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 0x24 && b[i + 3] >= 0x30 && b[i + 3] <= 0x39;
}

function sniffTlsOrDb(b: Uint8Array, o: number, end: number): AppInfo | undefined {
  const t = sniffTls(b, o, end);
  return t ? { app: 'tls' } : sniffDb(b, o, end);
}

/** MySQL's server greeting: 3-byte length, sequence 0, protocol 10, a NUL-ended version "N.…". */
function sniffDb(b: Uint8Array, o: number, end: number): AppInfo | undefined {
  if (end - o < 12 || b[o + 3] !== 0 || b[o + 4] !== 10) return undefined;
  const l = b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
  if (l < 20 || l > 1024 || b[o + 5] < 0x30 || b[o + 5] > 0x39 || b[o + 6] !== 0x2e) return undefined;
  const stop = Math.min(end, o + 5 + 64);
  for (let i = o + 7; i < stop; i++) {
    const c = b[i];
    if (c === 0) return { app: 'mysql' };
    if (c < 0x20 || c >= 0x7f) return undefined;
  }
  return undefined;
}

/** NTP: version 1-4; modes 1-5 need the 48-byte header, control (6) and private (7) less. */
function sniffNtp(b: Uint8Array, o: number, end: number): boolean {
  const vn = (b[o] >> 3) & 7;
  const mode = b[o] & 7;
  if (vn < 1 || vn > 4) return false;
  if (mode >= 1 && mode <= 5) return end - o >= 48;
  return (mode === 6 || mode === 7) && end - o >= 8;
}

/** QUIC long header (RFC 9000 §17.2): form and fixed bits, then version 1, 2 or a draft. */
function sniffQuic(b: Uint8Array, o: number, end: number): boolean {
  if (end - o < 7 || (b[o] & 0xc0) !== 0xc0) return false;
  const v = u32(b, o + 1);
  return v === 1 || v === 0x6b3343cf || (v >>> 8) === 0xff0000;
}

function sniffDatagram(ctx: PayloadContext, b: Uint8Array, o: number, end: number): AppInfo | undefined {
  const { sport, dport } = ctx;
  if (sport === 53 || dport === 53 || sport === 5353 || dport === 5353 || sport === 5355 || dport === 5355) {
    const dns = decodeDns(b, o, end, false, sport === 5353 || dport === 5353 ? 'mdns' : 'dns');
    return dns ? { app: 'dns', dns } : undefined;
  }
  if (sport === 67 || dport === 67 || sport === 68 || dport === 68) {
    const dhcp = decodeDhcp4(b, o, end);
    return dhcp ? { app: 'dhcp', dhcp } : undefined;
  }
  if (sport === 546 || dport === 546 || sport === 547 || dport === 547) {
    const dhcp = decodeDhcp6(b, o, end);
    return dhcp ? { app: 'dhcp', dhcp } : undefined;
  }
  if (sport === 123 || dport === 123) return sniffNtp(b, o, end) ? { app: 'ntp' } : undefined;
  if (sport === 137 || dport === 137) {
    // NetBIOS name service: DNS's format with encoded names; a dns summary, app netbios-ns
    const dns = decodeDns(b, o, end, false, 'nbns');
    return dns ? { app: 'netbios-ns', dns } : undefined;
  }
  if (sport === 138 || dport === 138) return undefined; // NetBIOS datagrams look like DNS
  if (sniffQuic(b, o, end)) {
    // a client's Initial fills its datagram to 1200 bytes at least (RFC 9000 §14.1); decrypting
    // costs some 100 µs, so only the originator's first packets are tried
    const sni = end - o >= 1200 && ctx.fromOriginator && ctx.flowPkts <= 3 ? quicInitialSni(b, o, end) : undefined;
    return sni === undefined ? { app: 'quic' } : { app: 'quic', tls_sni: sni };
  }
  // DNS on an unusual port (a tunnel, a C2 channel): only a message that parses to its last byte
  const dns = decodeDns(b, o, end, true);
  return dns ? { app: 'dns', dns } : undefined;
}

/**
 * What one payload packet says about the flow's application, or undefined when it says nothing
 * recognisable. Called for the first few payload packets of each direction; never throws.
 */
export function inspectPayload(ctx: PayloadContext): AppInfo | undefined {
  try {
    return recognise(ctx);
  } catch {
    // a decoder bug must not take the flow meter down; the port fallback still names the flow
    return undefined;
  }
}

/** inspectPayload without its safety net, so the fuzz test sees any exception. */
export function recognise(ctx: PayloadContext): AppInfo | undefined {
  const b = ctx.payload;
  const o = ctx.off;
  if (!(o >= 0) || !(ctx.len > 0)) return undefined;
  const end = Math.min(o + ctx.len, b.length);
  if (end <= o) return undefined;
  if (ctx.proto === 'udp') return sniffDatagram(ctx, b, o, end);
  if (ctx.proto === 'tcp' && (isPort(ctx, 53) || isPort(ctx, 5353))) {
    // DNS over TCP: a 2-byte length, then the message (this segment may hold only its start).
    // Some stacks send the length in a segment of its own: a segment that is one whole message
    // without it is read as such.
    if (end - o < 12) return undefined;
    const mlen = u16(b, o);
    let dns = mlen + 2 !== end - o ? decodeDns(b, o, end, true) : undefined;
    if (!dns && mlen >= 12 && end - o >= 14) dns = decodeDns(b, o + 2, Math.min(end, o + 2 + mlen), false);
    return dns ? { app: 'dns', dns } : undefined;
  }
  if (ctx.proto === 'sctp') return sniffSctp(ctx, b, o, end);
  return sniffStream(ctx, b, o, end);
}

// SCTP payload protocol identifiers (IANA "SCTP Payload Protocol Identifiers") that name the app
const SCTP_PPID: Record<number, string> = {
  1: 'iua', 2: 'm2ua', 3: 'm3ua', 4: 'sua', 5: 'm2pa', 18: 's1ap', 19: 'rua', 20: 'hnbap', 27: 'x2ap',
  46: 'diameter', 47: 'diameter', 60: 'ngap', 61: 'xnap', 62: 'f1ap', 51: 'webrtc', 53: 'webrtc', 56: 'webrtc', 57: 'webrtc',
};

/** SCTP chunks after the common header: the first DATA chunk's protocol id, else its user data. */
function sniffSctp(ctx: PayloadContext, b: Uint8Array, o: number, end: number): AppInfo | undefined {
  for (let i = 0; i < 16 && o + 4 <= end; i++) {
    const type = b[o];
    const clen = u16(b, o + 2);
    if (clen < 4) return undefined;
    if (type === 0) {
      if (clen < 17 || o + 16 > end) return undefined;
      const app = SCTP_PPID[u32(b, o + 12)];
      if (app) return { app };
      return sniffStream(ctx, b, o + 16, Math.min(end, o + clen));
    }
    o += (clen + 3) & ~3; // chunks are padded to 4 bytes
  }
  return undefined;
}

/**
 * Fold what a later packet said into the flow's summary (existing is updated in place and
 * returned; pass undefined for the first). The first recognised `app` stays. DNS: one object
 * per flow (see mergeDns). DHCP: `msg` is the most significant type seen (ACK > NAK > DECLINE >
 * OFFER > REQUEST > INFORM > RELEASE > DISCOVER), `msgs` every type in order; other fields keep
 * their first value, except `yiaddr`, which an ACK overrides.
 */
export function mergeApp(existing: AppInfo | undefined, next: AppInfo): AppInfo {
  // every flow's summary has the same four members, in the same order: one object shape for
  // the code that reads them (the sniffers' results come in several)
  if (existing === undefined) return { app: next.app, dns: next.dns, dhcp: next.dhcp, tls_sni: next.tls_sni };
  if (existing.app === undefined && next.app !== undefined) existing.app = next.app;
  if (next.dns) existing.dns = existing.dns ? mergeDns(existing.dns, next.dns) : next.dns;
  if (next.dhcp) existing.dhcp = existing.dhcp ? mergeDhcp(existing.dhcp, next.dhcp) : next.dhcp;
  if (next.tls_sni !== undefined && existing.tls_sni === undefined) existing.tls_sni = next.tls_sni;
  return existing;
}
