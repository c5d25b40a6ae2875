// Turning what an exporter or another tool says about a flow into fir's Flow record, the same
// way for every flow-export reader (NetFlow, IPFIX, nfdump, Zeek, Suricata, Argus, CSV).
import { createHash } from 'node:crypto';
import { formatIPv4, parseIPv4, parseIPv6 } from '../../net.js';
import type { DhcpInfo, DnsInfo, Flow } from '../../record.js';

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6' };
const PROTO_NUMBERS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmp6: 58, ipv6icmp: 58, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132, gre: 47, esp: 50, ah: 51, igmp: 2 };

export function protoName(n: number): string {
  return PROTO_NAMES[n] ?? String(n);
}

/** IP protocol number of a name or number as other tools write it ("TCP", "ipv6-icmp", "17"); -1 if unknown. */
export function protoNumber(s: string): number {
  const t = s.trim().toLowerCase();
  const n = PROTO_NUMBERS[t];
  if (n !== undefined) return n;
  if (/^\d{1,3}$/.test(t)) {
    const v = Number(t);
    return v <= 255 ? v : -1;
  }
  return -1;
}

export function hasPorts(proto: number): boolean {
  return proto === 6 || proto === 17 || proto === 132;
}

const FLAG_LETTERS = 'CEUAPRSF';
const FLAG_STRINGS: string[] = [];
for (let b = 0; b < 256; b++) {
  let s = '';
  for (let i = 0; i < 8; i++) if (b & (0x80 >> i)) s += FLAG_LETTERS[i];
  FLAG_STRINGS.push(s);
}

/** Letters CEUAPRSF (in that order) of a TCP flags byte. */
export function flagLetters(byte: number): string {
  return FLAG_STRINGS[byte & 255];
}

/** TCP flags byte of a string of letters in any order, or of nfdump's `...AP.SF` form; -1 if not flags. */
export function flagsByte(s: string): number {
  let b = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20; // lower-case
    const k = FLAG_LETTERS.indexOf(String.fromCharCode(c - 32));
    if (k >= 0) b |= 0x80 >> k;
    else if (s[i] !== '.' && s[i] !== ' ') return -1;
  }
  return b;
}

const APP_PORTS: Record<number, string> = {
  20: 'ftp', 21: 'ftp', 22: 'ssh', 23: 'telnet', 25: 'smtp', 53: 'dns', 67: 'dhcp', 68: 'dhcp', 80: 'http', 110: 'pop3',
  123: 'ntp', 137: 'netbios', 139: 'smb', 143: 'imap', 161: 'snmp', 389: 'ldap', 443: 'tls', 445: 'smb', 465: 'smtp',
  514: 'syslog', 547: 'dhcp', 546: 'dhcp', 587: 'smtp', 636: 'ldap', 853: 'dns', 993: 'imap', 995: 'pop3', 1433: 'mssql',
  3306: 'mysql', 3389: 'rdp', 5353: 'mdns', 5432: 'postgres', 5900: 'vnc', 8080: 'http', 8443: 'tls',
};

/** The application a flow's well-known port suggests (the responder's port first). */
export function appFromPorts(sport: number | undefined, dport: number | undefined): string | undefined {
  return (dport !== undefined ? APP_PORTS[dport] : undefined) ?? (sport !== undefined ? APP_PORTS[sport] : undefined);
}

// ICMP types and their counterparts, for the Community ID of ICMP flows (spec v1).
const ICMP4_PAIRS: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17 };
const ICMP6_PAIRS: Record<number, number> = { 128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130, 144: 145, 145: 144 };

function addrBytes(s: string): Buffer | undefined {
  const v4 = parseIPv4(s);
  if (v4 >= 0) {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(v4 >>> 0, 0);
    return b;
  }
  const v6 = parseIPv6(s);
  if (v6 === undefined) return undefined;
  const b = Buffer.allocUnsafe(16);
  let v = v6;
  for (let i = 15; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

/** Community ID v1 (seed 0) of a flow: `1:` + base64(SHA-1), as Zeek, Suricata and Elastic compute it. */
export function communityId(proto: number, src: string, dst: string, sport = 0, dport = 0): string | undefined {
  const a = addrBytes(src);
  const b = addrBytes(dst);
  if (!a || !b || a.length !== b.length) return undefined;
  let p1 = sport;
  let p2 = dport;
  let oneWay = false;
  if (proto === 1 || proto === 58) {
    const pairs = proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS;
    const other = pairs[sport];
    if (other === undefined) oneWay = true;
    else p2 = other;
  } else if (!hasPorts(proto)) {
    p1 = 0;
    p2 = 0;
  }
  let swap = false;
  if (!oneWay) {
    const c = Buffer.compare(a, b);
    swap = c > 0 || (c === 0 && p1 > p2);
  }
  const buf = Buffer.allocUnsafe(2 + 2 * a.length + 2 + (proto === 1 || proto === 58 || hasPorts(proto) ? 4 : 0));
  let o = 0;
  buf.writeUInt16BE(0, o);
  o += 2;
  (swap ? b : a).copy(buf, o);
  o += a.length;
  (swap ? a : b).copy(buf, o);
  o += a.length;
  buf[o++] = proto;
  buf[o++] = 0;
  if (o < buf.length) {
    buf.writeUInt16BE((swap ? p2 : p1) & 0xffff, o);
    buf.writeUInt16BE((swap ? p1 : p2) & 0xffff, o + 2);
  }
  return '1:' + createHash('sha1').update(buf).digest('base64');
}

/** A stable 64-bit hash (FNV-1a, two lanes) of a string, as 16 hex digits: the flow id. */
export function stableId(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** A flow as a flow-export source states it, before it becomes a record. */
export interface FlowFacts {
  startMs: number;
  endMs: number;
  proto: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  pkts: number;
  bytes: number;
  rpkts?: number;
  rbytes?: number;
  /** TCP flags byte; undefined when the source does not say */
  flags?: number;
  rflags?: number;
  state?: string;
  smac?: string;
  dmac?: string;
  vlan?: number;
  app?: string;
  dns?: DnsInfo;
  dhcp?: DhcpInfo;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Latest time a flow may have (2200-01-01): later ones are damage, not data. */
export const MAX_TIME_MS = 7_258_118_400_000;

/** Why a flow's times cannot be right, or undefined when they can. */
export function badTimes(startMs: number, endMs: number): string | undefined {
  if (!(startMs >= 0 && startMs <= MAX_TIME_MS)) return `start time ${Number.isFinite(startMs) ? new Date(Math.max(-8.64e15, Math.min(8.64e15, startMs))).toISOString() : String(startMs)} is out of range`;
  if (!(endMs >= 0 && endMs <= MAX_TIME_MS)) return `end time out of range`;
  return undefined;
}

/**
 * The Flow record of these facts, fields in the contract's order. `origin` is FILE, FILE:LINE or
 * the exporter; `idKey` makes the id stable (the same input gives the same id).
 */
export function makeFlow(f: FlowFacts, origin: string, idKey: string): Flow {
  const tcp = f.proto === 6;
  const ports = hasPorts(f.proto);
  const icmp = f.proto === 1 || f.proto === 58;
  // fields are added in the contract's order (insertion order is output order)
  const out: Flow = { kind: 'flow', start: iso(f.startMs), end: iso(f.endMs >= f.startMs ? f.endMs : f.startMs), proto: protoName(f.proto), src: f.src } as Flow;
  if (ports && f.sport !== undefined) out.sport = f.sport;
  out.dst = f.dst;
  if (ports && f.dport !== undefined) out.dport = f.dport;
  if (icmp) {
    if (f.icmpType !== undefined) out.icmp_type = f.icmpType;
    if (f.icmpCode !== undefined) out.icmp_code = f.icmpCode;
  }
  out.pkts = f.pkts;
  out.bytes = f.bytes;
  if (f.rpkts !== undefined) out.rpkts = f.rpkts;
  if (f.rbytes !== undefined) out.rbytes = f.rbytes;
  if (tcp && f.flags !== undefined && f.flags !== 0) out.flags = FLAG_STRINGS[f.flags & 255];
  if (tcp && f.rflags !== undefined && f.rflags !== 0 && f.rpkts !== undefined) out.rflags = FLAG_STRINGS[f.rflags & 255];
  if (f.state !== undefined && f.rpkts !== undefined) out.state = f.state;
  if (f.smac !== undefined) out.smac = f.smac;
  if (f.dmac !== undefined) out.dmac = f.dmac;
  if (f.vlan !== undefined) out.vlan = f.vlan;
  const app = f.app ?? (ports ? appFromPorts(f.sport, f.dport) : undefined);
  if (app !== undefined) out.app = app;
  if (f.dns !== undefined) out.dns = f.dns;
  if (f.dhcp !== undefined) out.dhcp = f.dhcp;
  const cid = communityId(f.proto, f.src, f.dst, ports ? f.sport : icmp ? f.icmpType : 0, ports ? f.dport : icmp ? f.icmpCode : 0);
  if (cid !== undefined) out.community_id = cid;
  out.id = stableId(idKey);
  out.origin = origin;
  return out;
}

/** MAC address of 6 bytes at `off`, lower-case with colons; undefined for all zeros. */
export function macAt(b: Uint8Array, off: number): string | undefined {
  let zero = true;
  let s = '';
  for (let i = 0; i < 6; i++) {
    const v = b[off + i];
    if (v) zero = false;
    s += (i ? ':' : '') + (v < 16 ? '0' : '') + v.toString(16);
  }
  return zero ? undefined : s;
}

export { formatIPv4 };
