// DHCP (RFC 2131/2132, and plain BOOTP) and DHCPv6 (RFC 8415) messages decoded into the flow's
// `dhcp` summary. Options are walked with every length checked against the message end.
import type { DhcpInfo } from '../../record.js';
import { formatIPv6Bytes } from '../../net.js';
import { bytesText, hexText, hostText, ipv4Text, u16, u32 } from './text.js';

const MSG4: Record<number, string> = {
  1: 'DISCOVER', 2: 'OFFER', 3: 'REQUEST', 4: 'DECLINE', 5: 'ACK', 6: 'NAK', 7: 'RELEASE', 8: 'INFORM',
  9: 'FORCERENEW', 10: 'LEASEQUERY', 11: 'LEASEUNASSIGNED', 12: 'LEASEUNKNOWN', 13: 'LEASEACTIVE',
  14: 'BULKLEASEQUERY', 15: 'LEASEQUERYDONE', 16: 'ACTIVELEASEQUERY', 17: 'LEASEQUERYSTATUS', 18: 'TLS',
};
const MSG6: Record<number, string> = {
  1: 'SOLICIT', 2: 'ADVERTISE', 3: 'REQUEST', 4: 'CONFIRM', 5: 'RENEW', 6: 'REBIND', 7: 'REPLY', 8: 'RELEASE',
  9: 'DECLINE', 10: 'RECONFIGURE', 11: 'INFORMATION-REQUEST', 12: 'RELAY-FORW', 13: 'RELAY-REPL',
};

/**
 * How much a message type tells about the exchange; `msg` of a flow is its highest-ranked type.
 * A lease granted or refused outranks an offer, which outranks what clients send.
 */
const RANK: Record<string, number> = {
  ACK: 10, REPLY: 10, NAK: 9, DECLINE: 8, OFFER: 7, ADVERTISE: 7, REQUEST: 6, RENEW: 6, REBIND: 6, CONFIRM: 6,
  INFORM: 5, 'INFORMATION-REQUEST': 5, RELEASE: 4, DISCOVER: 3, SOLICIT: 3, BOOTREPLY: 2, BOOTREQUEST: 1,
};
export function dhcpMsgRank(msg: string | undefined): number {
  return msg === undefined ? -1 : RANK[msg] ?? 0;
}
/** Message types kept per flow in `msgs`. */
export const MAX_MSGS = 16;
const MAX_LIST = 8;

const ZERO4 = '0.0.0.0';

/** A DHCPv4/BOOTP message at buf[p..end) (the UDP payload); undefined when it is not one. */
export function decodeDhcp4(buf: Uint8Array, p: number, end: number): DhcpInfo | undefined {
  if (end > buf.length) end = buf.length;
  if (p < 0 || end - p < 240) return undefined;
  const op = buf[p];
  const htype = buf[p + 1];
  const hlen = buf[p + 2];
  if ((op !== 1 && op !== 2) || hlen > 16) return undefined;
  // magic cookie 99.130.83.99; without it this is plain BOOTP (options area is vendor data)
  const cookie = buf[p + 236] === 99 && buf[p + 237] === 130 && buf[p + 238] === 83 && buf[p + 239] === 99;
  const info: DhcpInfo = {};
  let msg: string | undefined;
  if (htype === 1 && hlen === 6) info.client_mac = hexText(buf, p + 28, p + 34);
  else if (hlen > 0) info.client_hw = hexText(buf, p + 28, p + 28 + hlen);
  info.xid = u32(buf, p + 4);
  const ciaddr = ipv4Text(buf, p + 12);
  const yiaddr = ipv4Text(buf, p + 16);
  const giaddr = ipv4Text(buf, p + 24);
  if (yiaddr !== ZERO4) info.yiaddr = yiaddr;
  if (ciaddr !== ZERO4) info.ciaddr = ciaddr;
  if (giaddr !== ZERO4) info.relay = giaddr;
  if (cookie) {
    let q = p + 240;
    while (q < end) {
      const code = buf[q];
      if (code === 255) break;
      if (code === 0) {
        q++;
        continue;
      }
      if (q + 1 >= end) break;
      const l = buf[q + 1];
      const d = q + 2;
      if (d + l > end) {
        info.truncated = true; // an option running past the end: keep what came before it
        break;
      }
      switch (code) {
        case 53:
          if (l >= 1) msg = MSG4[buf[d]] ?? `TYPE${buf[d]}`;
          break;
        case 54:
          if (l >= 4) info.server_id = ipv4Text(buf, d);
          break;
        case 3:
          if (l >= 4) info.router = ipv4Text(buf, d);
          break;
        case 6:
          if (l >= 4) {
            const list: string[] = [];
            for (let i = 0; i + 4 <= l && list.length < MAX_LIST; i += 4) list.push(ipv4Text(buf, d + i));
            info.dns_servers = list;
          }
          break;
        case 1:
          if (l >= 4) info.subnet_mask = ipv4Text(buf, d);
          break;
        case 12:
          info.hostname = hostText(buf, d, d + l);
          break;
        case 15:
          info.domain = hostText(buf, d, d + l);
          break;
        case 51:
          if (l >= 4) info.lease_s = u32(buf, d);
          break;
        case 50:
          if (l >= 4) info.requested_ip = ipv4Text(buf, d);
          break;
        case 60:
          info.vendor_class = bytesText(buf, d, d + l, 255);
          break;
        case 61:
          if (l >= 1) info.client_id = hexText(buf, d, d + l);
          break;
        case 81:
          // client FQDN: flags, two obsolete rcodes, then the name (ASCII, or wire form with E set)
          if (l > 3) info.client_fqdn = fqdnText(buf, d + 3, d + l, (buf[d] & 4) !== 0);
          break;
        case 55:
          if (l >= 1) {
            const list: number[] = [];
            for (let i = 0; i < l; i++) list.push(buf[d + i]);
            info.params = list;
          }
          break;
      }
      q = d + l;
    }
  }
  info.msg = msg ?? (op === 1 ? 'BOOTREQUEST' : 'BOOTREPLY');
  info.msgs = [info.msg];
  return order(info);
}

/** An FQDN option's name: wire-format labels when wire is set, else the bytes as a host name. */
function fqdnText(buf: Uint8Array, p: number, end: number, wire: boolean): string {
  if (!wire) return hostText(buf, p, end);
  let s = '';
  while (p < end) {
    const l = buf[p];
    if (l === 0 || l > 63 || p + 1 + l > end) break;
    s += (s ? '.' : '') + hostText(buf, p + 1, p + 1 + l);
    p += 1 + l;
  }
  return s;
}

// The contract's fields first, extras after, so records read alike.
const FIELD_ORDER = ['msg', 'msgs', 'client_mac', 'yiaddr', 'server_id', 'router', 'dns_servers', 'hostname', 'lease_s'];
function order(info: DhcpInfo): DhcpInfo {
  const out: DhcpInfo = {};
  for (const k of FIELD_ORDER) if (info[k] !== undefined) out[k] = info[k];
  for (const k of Object.keys(info)) if (out[k] === undefined) out[k] = info[k];
  return out;
}

/** A DHCPv6 message at buf[p..end); relay messages are unwrapped (bounded) to the client's. */
export function decodeDhcp6(buf: Uint8Array, p: number, end: number, depth = 0): DhcpInfo | undefined {
  if (end > buf.length) end = buf.length;
  if (p < 0 || end - p < 4) return undefined;
  const type = buf[p];
  const msg = MSG6[type];
  if (!msg) return undefined;
  const relay = type === 12 || type === 13;
  if (relay) {
    // hop count, link address, peer address, then options; option 9 holds the relayed message
    if (end - p < 34 || depth > 4) return undefined;
    let q = p + 34;
    while (q + 4 <= end) {
      const code = u16(buf, q);
      const l = u16(buf, q + 2);
      if (q + 4 + l > end) break;
      if (code === 9) {
        const inner = decodeDhcp6(buf, q + 4, q + 4 + l, depth + 1);
        if (inner) inner.relay = formatIPv6Bytes(buf, p + 2);
        return inner;
      }
      q += 4 + l;
    }
    return { msg, msgs: [msg] };
  }
  const info: DhcpInfo = { msg, msgs: [msg], xid: (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3] };
  walk6(buf, p + 4, end, info, 0);
  return order(info);
}

function walk6(buf: Uint8Array, q: number, end: number, info: DhcpInfo, depth: number): void {
  while (q + 4 <= end) {
    const code = u16(buf, q);
    const l = u16(buf, q + 2);
    const d = q + 4;
    if (d + l > end) {
      info.truncated = true;
      return;
    }
    switch (code) {
      case 1: // client DUID; DUID-LLT (1) and DUID-LL (3) over Ethernet carry the MAC
        info.client_id = hexText(buf, d, d + l);
        if (l >= 10 && u16(buf, d) === 3 && u16(buf, d + 2) === 1 && l === 10) info.client_mac = hexText(buf, d + 4, d + 10);
        else if (l >= 14 && u16(buf, d) === 1 && u16(buf, d + 2) === 1 && l === 14) info.client_mac = hexText(buf, d + 8, d + 14);
        break;
      case 2:
        info.server_id = hexText(buf, d, d + l);
        break;
      case 3: // IA_NA: IAID, T1, T2, then options (the addresses)
        if (l >= 12 && depth < 2) walk6(buf, d + 12, d + l, info, depth + 1);
        break;
      case 5: // IA address: address, preferred and valid lifetimes
        if (l >= 24 && info.yiaddr === undefined) {
          info.yiaddr = formatIPv6Bytes(buf, d);
          info.lease_s = u32(buf, d + 20);
        }
        break;
      case 23:
        if (l >= 16) {
          const list: string[] = [];
          for (let i = 0; i + 16 <= l && list.length < MAX_LIST; i += 16) list.push(formatIPv6Bytes(buf, d + i));
          info.dns_servers = list;
        }
        break;
      case 24:
        if (l > 0) info.domain = fqdnText(buf, d, d + l, true);
        break;
      case 39: // client FQDN: flags, then the wire-form name
        if (l > 1) info.hostname = fqdnText(buf, d + 1, d + l, true);
        break;
      case 16:
        if (l > 4) info.vendor_class = bytesText(buf, d + 4, d + l, 255);
        break;
    }
    q = d + l;
  }
}

/** Fold one message's summary into the flow's (in place): see mergeApp in index.ts. */
export function mergeDhcp(into: DhcpInfo, next: DhcpInfo): DhcpInfo {
  const msgs = (Array.isArray(into.msgs) ? into.msgs : into.msg !== undefined ? [into.msg] : []) as string[];
  const add = (Array.isArray(next.msgs) ? next.msgs : next.msg !== undefined ? [next.msg] : []) as string[];
  for (const m of add) if (msgs.length < MAX_MSGS) msgs.push(m);
  for (const k of Object.keys(next)) {
    if (k === 'msg' || k === 'msgs') continue;
    // a server's yiaddr in the ACK is the address actually leased: later values win for it
    if (into[k] === undefined || (k === 'yiaddr' && next.msg === 'ACK')) into[k] = next[k];
  }
  if (dhcpMsgRank(next.msg) > dhcpMsgRank(into.msg)) into.msg = next.msg;
  into.msgs = msgs;
  return into;
}
