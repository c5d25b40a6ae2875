// Turning what an exporter or another tool says about a flow into fir's Flow record, the same
// way for every flow-export reader (NetFlow, IPFIX, nfdump, Zeek, Suricata, Argus, CSV).
import crypto, { createHash } from 'node:crypto';
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

// one buffer for the Community ID input: 2 seed + 2×16 addresses + proto + pad + 2 ports
const CID = Buffer.alloc(40);
const V6A = Buffer.alloc(16);
const V6B = Buffer.alloc(16);

/** Write an address into `b` at `off`: 4 or 16 bytes written, 0 when it is not an address. */
function putAddr(s: string, b: Buffer, off: number): number {
  const v4 = parseIPv4(s);
  if (v4 >= 0) {
    b.writeUInt32BE(v4 >>> 0, off);
    return 4;
  }
  if (putV6(s, b, off)) return 16;
  const v6 = parseIPv6(s); // the rare forms (an IPv4 tail, a zone)
  if (v6 === undefined) return 0;
  let v = v6;
  for (let i = 15; i >= 0; i--) {
    b[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return 16;
}

const GROUPS = new Uint16Array(8);

/** Plain hex-group IPv6 text (with or without ::) into 16 bytes; false for anything else. */
function putV6(s: string, b: Buffer, off: number): boolean {
  let n = 0; // groups before ::
  let gap = -1; // group index where :: stands
  let v = 0;
  let digits = 0;
  const len = s.length;
  if (len < 2) return false;
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (i === len) {
      b.fill(0, off, off + 16);
      return true;
    }
  }
  for (; i <= len; i++) {
    const c = i < len ? s.charCodeAt(i) : 58;
    if (c === 58) {
      if (digits === 0) {
        if (i < len && gap < 0 && i > 0 && s.charCodeAt(i - 1) === 58) {
          gap = n;
          continue;
        }
        if (i === len && gap === n && n > 0) break; // trailing ::
        return false;
      }
      if (n === 8) return false;
      GROUPS[n++] = v;
      v = 0;
      digits = 0;
      continue;
    }
    let h: number;
    if (c >= 48 && c <= 57) h = c - 48;
    else if (c >= 97 && c <= 102) h = c - 87;
    else if (c >= 65 && c <= 70) h = c - 55;
    else return false;
    if (++digits > 4) return false;
    v = (v << 4) | h;
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const fill = 8 - n;
  let o = off;
  for (let g = 0; g < 8; g++) {
    let w: number;
    if (gap < 0) w = GROUPS[g];
    else if (g < gap) w = GROUPS[g];
    else if (g < gap + fill) w = 0;
    else w = GROUPS[g - fill];
    b[o++] = w >> 8;
    b[o++] = w & 255;
  }
  return true;
}

/** Compare n bytes of a at ao with b at bo. */
function cmpBytes(a: Buffer, ao: number, b: Buffer, bo: number, n: number): number {
  for (let i = 0; i < n; i++) {
    const d = a[ao + i] - b[bo + i];
    if (d) return d;
  }
  return 0;
}

/** Community ID v1 (seed 0) of a flow: `1:` + base64(SHA-1), as Zeek, Suricata and Elastic compute it. */
export function communityId(proto: number, src: string, dst: string, sport = 0, dport = 0): string | undefined {
  const la = putAddr(src, V6A, 0);
  const lb = putAddr(dst, V6B, 0);
  if (!la || la !== lb) return undefined;
  let p1 = sport;
  let p2 = dport;
  let oneWay = false;
  const withPorts = proto === 1 || proto === 58 || hasPorts(proto);
  if (proto === 1 || proto === 58) {
    const pairs = proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS;
    const other = pairs[sport];
    if (other === undefined) oneWay = true;
    else p2 = other;
  } else if (!withPorts) {
    p1 = 0;
    p2 = 0;
  }
  let swap = false;
  if (!oneWay) {
    const c = cmpBytes(V6A, 0, V6B, 0, la);
    swap = c > 0 || (c === 0 && p1 > p2);
  }
  const b = CID;
  b[0] = 0;
  b[1] = 0;
  (swap ? V6B : V6A).copy(b, 2, 0, la);
  (swap ? V6A : V6B).copy(b, 2 + la, 0, la);
  let o = 2 + 2 * la;
  b[o++] = proto;
  b[o++] = 0;
  if (withPorts) {
    b.writeUInt16BE((swap ? p2 : p1) & 0xffff, o);
    b.writeUInt16BE((swap ? p1 : p2) & 0xffff, o + 2);
    o += 4;
  }
  return '1:' + sha1Base64(b.subarray(0, o));
}

const oneShot = (crypto as { hash?: (alg: string, data: Buffer, enc: string) => string }).hash;
function sha1Base64(b: Buffer): string {
  return oneShot ? oneShot('sha1', b, 'base64') : createHash('sha1').update(b).digest('base64');
}

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push((i < 16 ? '0' : '') + i.toString(16));
function hex32(x: number): string {
  return HEX2[x >>> 24] + HEX2[(x >>> 16) & 255] + HEX2[(x >>> 8) & 255] + HEX2[x & 255];
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
  return hex32(h1 >>> 0) + hex32(h2 >>> 0);
}

/** Stable ids of one source: the prefix (the source name) is hashed once, then each suffix. */
export class IdHasher {
  private readonly h1: number;
  private readonly h2: number;
  constructor(prefix: string) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < prefix.length; i++) {
      const c = prefix.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    this.h1 = h1;
    this.h2 = h2;
  }
  id(suffix: string | number): string {
    if (typeof suffix === 'number' && suffix >= 0 && suffix <= 0xffffffff) {
      // a line number: mixed in as a number, no text needed
      let h1 = Math.imul(this.h1 ^ suffix, 0x01000193);
      let h2 = Math.imul(this.h2 ^ (suffix >>> 16) ^ (suffix << 5), 0x5bd1e995);
      h2 ^= h2 >>> 15;
      h1 ^= h2 >>> 7;
      h2 = Math.imul(h2 ^ (h1 >>> 13), 0x85ebca6b);
      h1 = Math.imul(h1 ^ (h1 >>> 16), 0x7feb352d);
      return hex32(h1 >>> 0) + hex32(h2 >>> 0);
    }
    const key = String(suffix);
    let h1 = this.h1;
    let h2 = this.h2 ^ key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 ^= h2 >>> 7;
    h2 = Math.imul(h2 ^ (h1 >>> 13), 0x85ebca6b);
    return hex32(h1 >>> 0) + hex32(h2 >>> 0);
  }
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

// times of one source are close together: the text up to the minute is cached (64 minutes,
// direct-mapped), seconds and milliseconds are written by hand
const ISO_MIN = new Float64Array(64).fill(NaN);
const ISO_PREFIX: string[] = new Array<string>(64).fill('');
const PAD2: string[] = [];
for (let i = 0; i < 100; i++) PAD2.push((i < 10 ? '0' : '') + i);
function iso(ms: number): string {
  const min = Math.floor(ms / 60000);
  const slot = min & 63;
  if (ISO_MIN[slot] !== min) {
    ISO_MIN[slot] = min;
    ISO_PREFIX[slot] = new Date(min * 60000).toISOString().slice(0, 17);
  }
  const rest = Math.floor(ms - min * 60000);
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  return ISO_PREFIX[slot] + PAD2[sec] + '.' + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}

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
export function makeFlow(f: FlowFacts, origin: string, idKey: string, id?: string): Flow {
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
  // the order of the capture reader's records (fir-ingest(1), OUTPUT)
  const app = f.app ?? (ports ? appFromPorts(f.sport, f.dport) : undefined);
  if (app !== undefined) out.app = app;
  if (f.dns !== undefined) out.dns = f.dns;
  if (f.dhcp !== undefined) out.dhcp = f.dhcp;
  if (f.smac !== undefined) out.smac = f.smac;
  if (f.dmac !== undefined) out.dmac = f.dmac;
  if (f.vlan !== undefined) out.vlan = f.vlan;
  const cid = communityId(f.proto, f.src, f.dst, ports ? f.sport : icmp ? f.icmpType : 0, ports ? f.dport : icmp ? f.icmpCode : 0);
  if (cid !== undefined) out.community_id = cid;
  out.id = id ?? stableId(idKey);
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
