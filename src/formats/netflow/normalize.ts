// Turning what an exporter or another tool says about a flow into fir's Flow record, the same
// way for every flow-export reader (NetFlow, IPFIX, nfdump, Zeek, Suricata, Argus, CSV).
import { putDigits, putRun, run, type Run } from '../../bytes.js';
import { formatIPv4, parseIPv4, parseIPv6 } from '../../net.js';
import { putCommunityId } from '../../packet/app/community-id.js';
import type { DhcpInfo, DnsInfo, Flow } from '../../record.js';
import { TextSink } from './text.js';

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

// Community ID: the shared implementation (src/packet/app/community-id.ts, the spec's ICMP
// table); the text of the addresses is turned into bytes here, without an object per flow.
const A16 = new Uint8Array(16);
const B16 = new Uint8Array(16);

const GROUPS = new Uint16Array(8);

/** Plain hex-group IPv6 text (with or without ::) into 16 bytes; false for anything else. */
function putV6(s: string, b: Uint8Array): boolean {
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
      b.fill(0);
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
  let o = 0;
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

// the same IPv4 tuple comes again and again in flow exports (each active-timeout piece, each
// direction): a direct-mapped cache of 16384 tuples in front of SHA-1, holding each id's text
// as bytes (written as they are: no string a flow)
const CACHE_SLOTS = 16384;
/** bytes of an id's text: `1:` and 28 base64 characters */
const CID_BYTES = 30;
const CK_A = new Int32Array(CACHE_SLOTS);
const CK_B = new Int32Array(CACHE_SLOTS);
const CK_PP = new Float64Array(CACHE_SLOTS).fill(-1); // proto, sport and dport in one number
const CK_TEXT = new Uint8Array(CACHE_SLOTS * CID_BYTES);
/** the text of an id that is not cached (IPv6, ports out of range) */
const CID_SCRATCH = new Uint8Array(CID_BYTES);
/** the array cidBytes wrote its text into (at the offset it returned) */
let cidArray: Uint8Array = CID_SCRATCH;

/** Plain or rare-form IPv6 text into 16 bytes; false when it is not an address. */
function putAddr6(s: string, b16: Uint8Array): boolean {
  if (putV6(s, b16)) return true;
  const v6 = parseIPv6(s); // the rare forms (an IPv4 tail, a zone)
  if (v6 === undefined) return false;
  let v = v6;
  for (let i = 15; i >= 0; i--) {
    b16[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return true;
}

/** the big-endian 32-bit word of b[o, o+4) */
const word = (b: Uint8Array, o: number): number => (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];

/**
 * communityId's text as bytes: CID_BYTES of them in cidArray at the offset returned; -1 when
 * the flow has none (an address is not one, or the families differ). With `hash` false only
 * whether it has one (-1, or 0 with nothing written).
 */
function cidBytes(proto: number, src: string, dst: string, sport: number, dport: number, hash: boolean): number {
  const v4a = parseIPv4(src);
  if (v4a >= 0) {
    const v4b = parseIPv4(dst);
    if (v4b < 0) return -1; // IPv6, or not an address
    if (!hash) return 0;
    if ((proto & 255) === proto && sport >= 0 && sport <= 0xffff && dport >= 0 && dport <= 0xffff && (sport | 0) === sport && (dport | 0) === dport) {
      let a = v4a | 0;
      let b = v4b | 0;
      let p1 = sport;
      let p2 = dport;
      // with ports the ID is the same both ways: both directions of a flow share a slot
      if ((proto === 6 || proto === 17 || proto === 132) && (v4a > v4b || (a === b && p1 > p2))) {
        const t = a;
        a = b;
        b = t;
        p1 = dport;
        p2 = sport;
      }
      const pp = ((proto & 255) * 65536 + p1) * 65536 + p2;
      let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(p1 * 65536 + p2, 0x85ebca6b) ^ proto, 0x27d4eb2f);
      h ^= h >>> 15;
      const slot = h & (CACHE_SLOTS - 1);
      const at = slot * CID_BYTES;
      cidArray = CK_TEXT;
      if (CK_A[slot] === a && CK_B[slot] === b && CK_PP[slot] === pp) return at;
      putCommunityId(CK_TEXT, at, proto, false, v4a, 0, 0, 0, v4b, 0, 0, 0, sport, dport);
      CK_A[slot] = a;
      CK_B[slot] = b;
      CK_PP[slot] = pp;
      return at;
    }
    cidArray = CID_SCRATCH;
    putCommunityId(CID_SCRATCH, 0, proto, false, v4a, 0, 0, 0, v4b, 0, 0, 0, sport, dport);
    return 0;
  }
  if (!putAddr6(src, A16) || parseIPv4(dst) >= 0 || !putAddr6(dst, B16)) return -1;
  if (!hash) return 0;
  cidArray = CID_SCRATCH;
  putCommunityId(CID_SCRATCH, 0, proto, true, word(A16, 0), word(A16, 4), word(A16, 8), word(A16, 12), word(B16, 0), word(B16, 4), word(B16, 8), word(B16, 12), sport, dport);
  return 0;
}

/**
 * Community ID v1 (seed 0) of a flow whose addresses are text: `1:` + base64(SHA-1), as Zeek,
 * Suricata and Elastic compute it; undefined when an address is not one or the families differ.
 * For ICMP pass the type as sport and the code as dport.
 */
export function communityId(proto: number, src: string, dst: string, sport = 0, dport = 0): string | undefined {
  const at = cidBytes(proto, src, dst, sport, dport, true);
  if (at < 0) return undefined;
  return Buffer.from(cidArray.buffer, cidArray.byteOffset + at, CID_BYTES).toString('latin1');
}

/** cidBytes of facts: ports, or ICMP type and code, as the protocol has them */
function factsCid(f: FlowFacts, hash: boolean): number {
  const proto = f.proto;
  if (hasPorts(proto)) return cidBytes(proto, f.src, f.dst, f.sport ?? 0, f.dport ?? 0, hash);
  if (proto === 1 || proto === 58) return cidBytes(proto, f.src, f.dst, f.icmpType ?? 0, f.icmpCode ?? 0, hash);
  return cidBytes(proto, f.src, f.dst, 0, 0, hash);
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

/** What writes the id of a source's line (its 16 hex digits) into a sink. */
export interface LineIds {
  writeLine(o: TextSink, line: number): void;
}

/** Stable ids of one source: the prefix (the source name) is hashed once, then each suffix. */
export class IdHasher implements LineIds {
  private readonly h1: number;
  private readonly h2: number;
  /** the two halves of the last line's id */
  private r1 = 0;
  private r2 = 0;

  /** id(line) of a line number (0 to 2^32-1) into r1, r2 */
  private lineHash(suffix: number): void {
    let h1 = Math.imul(this.h1 ^ suffix, 0x01000193);
    let h2 = Math.imul(this.h2 ^ (suffix >>> 16) ^ (suffix << 5), 0x5bd1e995);
    h2 ^= h2 >>> 15;
    h1 ^= h2 >>> 7;
    h2 = Math.imul(h2 ^ (h1 >>> 13), 0x85ebca6b);
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x7feb352d);
    this.r1 = h1 >>> 0;
    this.r2 = h2 >>> 0;
  }

  /** id(line) of a line number, as its 16 hex digits into a sink */
  writeLine(o: TextSink, line: number): void {
    if (!(line >= 0 && line <= 0xffffffff)) {
      o.ascii(this.id(line));
      return;
    }
    this.lineHash(line);
    o.hex32(this.r1);
    o.hex32(this.r2);
  }

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
      this.lineHash(suffix);
      return hex32(this.r1) + hex32(this.r2);
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

const ISO_BYTES_MIN = new Float64Array(64).fill(NaN);
const ISO_BYTES = new Uint8Array(64 * 17);

/**
 * iso(ms) as bytes into b at u (24 bytes): the minute's text from the cache, the rest digit by
 * digit; the offset after it, or -1 (nothing written) for a time iso() must write.
 */
function putIso(b: Uint8Array, u: number, ms: number): number {
  const min = Math.floor(ms / 60000);
  const slot = min & 63;
  const rest = Math.floor(ms - min * 60000);
  if (!(rest >= 0 && rest < 60000) || !Number.isFinite(min)) return -1;
  if (ISO_BYTES_MIN[slot] !== min) {
    if (ISO_MIN[slot] !== min) {
      ISO_MIN[slot] = min;
      ISO_PREFIX[slot] = new Date(min * 60000).toISOString().slice(0, 17);
    }
    // the minute's text as bytes too: copied without reading a sliced string
    ISO_BYTES_MIN[slot] = min;
    const p = ISO_PREFIX[slot];
    for (let i = 0; i < 17; i++) ISO_BYTES[slot * 17 + i] = p.charCodeAt(i);
  }
  for (let i = slot * 17, e = i + 17; i < e; i++) b[u++] = ISO_BYTES[i];
  const sec = (rest / 1000) | 0;
  const milli = rest - sec * 1000;
  const s10 = (sec / 10) | 0;
  b[u++] = 48 + s10;
  b[u++] = 48 + sec - s10 * 10;
  b[u++] = 46;
  const m100 = (milli / 100) | 0;
  const m10 = ((milli - m100 * 100) / 10) | 0;
  b[u++] = 48 + m100;
  b[u++] = 48 + m10;
  b[u++] = 48 + milli - m100 * 100 - m10 * 10;
  b[u++] = 90;
  return u;
}

/** Latest time a flow may have (2200-01-01): later ones are damage, not data. */
export const MAX_TIME_MS = 7_258_118_400_000;

/** Why a flow's times cannot be right, or undefined when they can. */
export function badTimes(startMs: number, endMs: number): string | undefined {
  if (!(startMs >= 0 && startMs <= MAX_TIME_MS)) return `start time ${Number.isFinite(startMs) ? new Date(Math.max(-8.64e15, Math.min(8.64e15, startMs))).toISOString() : String(startMs)} is out of range`;
  if (!(endMs >= 0 && endMs <= MAX_TIME_MS)) return `end time out of range`;
  return undefined;
}

/** The Community ID makeFlow gives these facts (ports, or ICMP type and code, as the protocol has them). */
export function factsCommunityId(f: FlowFacts): string | undefined {
  const at = factsCid(f, true);
  if (at < 0) return undefined;
  return Buffer.from(cidArray.buffer, cidArray.byteOffset + at, CID_BYTES).toString('latin1');
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
  const cid = factsCommunityId(f);
  if (cid !== undefined) out.community_id = cid;
  out.id = id ?? stableId(idKey);
  out.origin = origin;
  return out;
}

/** A string as JSON text, quotes included (JSON.stringify's escaping, without its cost for plain text). */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}


const SCRATCH = new TextSink();

/**
 * The NDJSON line (without its newline) of JSON.stringify(makeFlow(f, …)), written directly:
 * no record object, no serialiser. `originJson` is the origin already as JSON text (quotes
 * included). `communityIdOverride` (a reader that has the source's own Community ID) takes the
 * computed one's place, or goes after `origin` when none was computed, as an assignment after
 * makeFlow would put it; `tail` is more fields (`,"name":value…`) after `origin`.
 */
export function flowJson(f: FlowFacts, originJson: string, id: string, communityIdOverride?: string, tail = ''): string {
  writeFlow(SCRATCH, f, originJson, id, communityIdOverride, tail);
  return SCRATCH.take();
}

/** flowJson's text, as bytes into a sink (no newline). */
export function writeFlow(o: TextSink, f: FlowFacts, originJson: string, id: string, communityIdOverride?: string, tail = ''): void {
  const cid = writeFacts(o, f, communityIdOverride);
  o.ascii(',"id":"');
  o.ascii(id);
  o.ascii('","origin":');
  o.text(originJson);
  writeTail(o, cid, communityIdOverride, tail);
}

/**
 * The line of a text reader's row, and its newline: writeFlowLine(o, f, JSON of SOURCE:LINE,
 * ids.id(line), …) with the id and origin written as bytes. `originHead` is the UTF-8 of the
 * origin's JSON up to the line number (`"SOURCE:`).
 */
export function writeRowLine(o: TextSink, f: FlowFacts, originHead: Uint8Array, line: number, ids: LineIds, communityIdOverride?: string, tail = ''): void {
  const cid = writeFacts(o, f, communityIdOverride);
  const need = originHead.length + 64;
  o.used = putRun(o.reserve(need), o.used, K_ID);
  ids.writeLine(o, line);
  let b = o.reserve(need);
  let u = putRun(b, o.used, K_ORIGIN);
  u = putBytes(b, u, originHead);
  u = num(o, u, line, need);
  b = o.reserve(0);
  b[u++] = 34;
  if (cid || communityIdOverride === undefined) {
    if (tail) {
      o.used = u;
      o.text(tail);
      b = o.reserve(2);
      u = o.used;
    }
    b[u++] = 125;
    b[u++] = 10;
    o.used = u;
    return;
  }
  o.used = u;
  writeTail(o, cid, communityIdOverride, tail);
  o.newline();
}

/** `,"flags":"LETTERS"` and `,"rflags":"LETTERS"` of each flags byte */
const FLAGS_FIELD = FLAG_STRINGS.map((l) => run(`,"flags":"${l}"`));
const RFLAGS_FIELD = FLAG_STRINGS.map((l) => run(`,"rflags":"${l}"`));

/** `","proto":"NAME","src":` of each protocol number, made when first written */
const PROTO_SEGMENTS: (Run | undefined)[] = new Array<Run | undefined>(256).fill(undefined);
const K_HEAD = run('{"kind":"flow","start":"');
const K_END = run('","end":"');
const K_SPORT = run(',"sport":');
const K_DST = run(',"dst":');
const K_DPORT = run(',"dport":');
const K_ICMP_TYPE = run(',"icmp_type":');
const K_ICMP_CODE = run(',"icmp_code":');
const K_PKTS = run(',"pkts":');
const K_BYTES = run(',"bytes":');
const K_RPKTS = run(',"rpkts":');
const K_RBYTES = run(',"rbytes":');
const K_STATE = run(',"state":');
const K_APP = run(',"app":');
const K_SMAC = run(',"smac":');
const K_DMAC = run(',"dmac":');
const K_VLAN = run(',"vlan":');
/** `,"community_id":"` */
const CID_HEAD = run(',"community_id":"');
const K_CID = run(',"community_id":');
const K_ID = run(',"id":"');
const K_ORIGIN = run('","origin":');

/** bytes k into b at u; the offset after them */
function putBytes(b: Uint8Array, u: number, k: Uint8Array): number {
  for (let i = 0; i < k.length; i++) b[u++] = k[i];
  return u;
}

/** a number as JSON text into b at u (a non-negative integer below 1e15); the offset after it, or -1 (nothing written) for any other number */
function putNum(b: Uint8Array, u: number, v: number): number {
  if (!(v >= 0 && v < 1e15 && Math.floor(v) === v)) return -1;
  return putDigits(b, u, v);
}

/** a string as JSON text (quotes included) into b at u when it is printable ASCII without `"` or `\`; the offset after it, or -1 (what was written does not count) */
function putStr(b: Uint8Array, u: number, s: string): number {
  b[u++] = 34;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 126) return -1;
    b[u++] = c;
  }
  b[u++] = 34;
  return u;
}

/** room a line's fixed text and numbers may take (its strings are added) */
const LINE_ROOM = 768;

/**
 * The fields of a flow line up to its Community ID; whether a Community ID was computed for it.
 * Written from a local offset into room reserved once; a string that needs escaping, a number
 * that is not a plain integer, DNS and DHCP go through the sink's own methods (then the room is
 * reserved again).
 */
function writeFacts(o: TextSink, f: FlowFacts, communityIdOverride: string | undefined): boolean {
  const proto = f.proto;
  const ports = hasPorts(proto);
  const icmp = proto === 1 || proto === 58;
  const src = f.src;
  const dst = f.dst;
  const state = f.state !== undefined && f.rpkts !== undefined ? f.state : undefined;
  const app = f.app ?? (ports ? appFromPorts(f.sport, f.dport) : undefined);
  const smac = f.smac;
  const dmac = f.dmac;
  const need = LINE_ROOM + src.length + dst.length + (state?.length ?? 0) + (app?.length ?? 0) + (smac?.length ?? 0) + (dmac?.length ?? 0) + (communityIdOverride?.length ?? 0);
  let b = o.reserve(need);
  let u = o.used;
  let v: number;
  u = putRun(b, u, K_HEAD);
  v = putIso(b, u, f.startMs);
  if (v < 0) {
    o.used = u;
    o.ascii(iso(f.startMs));
    b = o.reserve(need);
    v = o.used;
  }
  u = putRun(b, v, K_END);
  const endMs = f.endMs >= f.startMs ? f.endMs : f.startMs;
  v = putIso(b, u, endMs);
  if (v < 0) {
    o.used = u;
    o.ascii(iso(endMs));
    b = o.reserve(need);
    v = o.used;
  }
  u = v;
  if (proto >= 0 && proto <= 255 && (proto | 0) === proto) u = putRun(b, u, (PROTO_SEGMENTS[proto] ??= run(`","proto":"${protoName(proto)}","src":`)));
  else {
    o.used = u;
    o.ascii('","proto":"');
    o.ascii(protoName(proto));
    o.ascii('","src":');
    b = o.reserve(need);
    u = o.used;
  }
  u = str(o, u, src, need);
  b = o.reserve(0);
  if (ports && f.sport !== undefined) u = num(o, putRun(b, u, K_SPORT), f.sport, need);
  b = o.reserve(0);
  u = str(o, putRun(b, u, K_DST), dst, need);
  b = o.reserve(0);
  if (ports && f.dport !== undefined) u = num(o, putRun(b, u, K_DPORT), f.dport, need);
  if (icmp) {
    if (f.icmpType !== undefined) u = num(o, putRun(o.reserve(0), u, K_ICMP_TYPE), f.icmpType, need);
    if (f.icmpCode !== undefined) u = num(o, putRun(o.reserve(0), u, K_ICMP_CODE), f.icmpCode, need);
  }
  u = num(o, putRun(o.reserve(0), u, K_PKTS), f.pkts, need);
  u = num(o, putRun(o.reserve(0), u, K_BYTES), f.bytes, need);
  if (f.rpkts !== undefined) u = num(o, putRun(o.reserve(0), u, K_RPKTS), f.rpkts, need);
  if (f.rbytes !== undefined) u = num(o, putRun(o.reserve(0), u, K_RBYTES), f.rbytes, need);
  b = o.reserve(0);
  if (proto === 6) {
    if (f.flags !== undefined && f.flags !== 0) u = putRun(b, u, FLAGS_FIELD[f.flags & 255]);
    if (f.rflags !== undefined && f.rflags !== 0 && f.rpkts !== undefined) u = putRun(b, u, RFLAGS_FIELD[f.rflags & 255]);
  }
  if (state !== undefined) u = str(o, putRun(b, u, K_STATE), state, need);
  if (app !== undefined) u = str(o, putRun(o.reserve(0), u, K_APP), app, need);
  if (f.dns !== undefined || f.dhcp !== undefined) {
    o.used = u;
    if (f.dns !== undefined) {
      o.ascii(',"dns":');
      o.text(JSON.stringify(f.dns));
    }
    if (f.dhcp !== undefined) {
      o.ascii(',"dhcp":');
      o.text(JSON.stringify(f.dhcp));
    }
    o.reserve(need);
    u = o.used;
  }
  if (smac !== undefined) u = str(o, putRun(o.reserve(0), u, K_SMAC), smac, need);
  if (dmac !== undefined) u = str(o, putRun(o.reserve(0), u, K_DMAC), dmac, need);
  if (f.vlan !== undefined) u = num(o, putRun(o.reserve(0), u, K_VLAN), f.vlan, need);
  // the computed id is hashed only when it is written (the source's own takes its place)
  const at = factsCid(f, communityIdOverride === undefined);
  b = o.reserve(0);
  if (at >= 0) {
    if (communityIdOverride !== undefined) u = str(o, putRun(b, u, K_CID), communityIdOverride, need);
    else {
      u = putRun(b, u, CID_HEAD);
      const c = cidArray;
      for (let i = at, e = at + CID_BYTES; i < e; i++) b[u++] = c[i];
      b[u++] = 34;
    }
  }
  o.used = u;
  return at >= 0;
}

/** a number into the sink's buffer at u (room reserved); the offset after it (through the sink for any but a plain integer, then `need` reserved again) */
function num(o: TextSink, u: number, v: number, need: number): number {
  const r = putNum(o.reserve(0), u, v);
  if (r >= 0) return r;
  o.used = u;
  o.num(v);
  o.reserve(need);
  return o.used;
}

/** a string as JSON text into the sink's buffer at u (room reserved); the offset after it (through the sink when it needs escaping, then `need` reserved again) */
function str(o: TextSink, u: number, s: string, need: number): number {
  const r = putStr(o.reserve(0), u, s);
  if (r >= 0) return r;
  o.used = u;
  o.json(s);
  o.reserve(need);
  return o.used;
}

/** after `origin`: the source's Community ID when none was computed, and the tail */
function writeTail(o: TextSink, cid: boolean, communityIdOverride: string | undefined, tail: string): void {
  if (!cid && communityIdOverride !== undefined) {
    o.ascii(',"community_id":');
    o.json(communityIdOverride);
  }
  if (tail) o.text(tail);
  o.ascii('}');
}

/** flowJson's line and its newline, as bytes into a sink. */
export function writeFlowLine(o: TextSink, f: FlowFacts, originJson: string, id: string, communityIdOverride?: string, tail = ''): void {
  writeFlow(o, f, originJson, id, communityIdOverride, tail);
  o.newline();
}

/** Facts with every optional field present and undefined: one object a reader fills again for each line. */
export function blankFacts(): FlowFacts {
  return {
    startMs: 0, endMs: 0, proto: 0, src: '', dst: '', sport: undefined, dport: undefined, icmpType: undefined, icmpCode: undefined,
    pkts: 0, bytes: 0, rpkts: undefined, rbytes: undefined, flags: undefined, rflags: undefined, state: undefined, smac: undefined,
    dmac: undefined, vlan: undefined, app: undefined, dns: undefined, dhcp: undefined,
  };
}

/** Clear the optional fields of facts made by blankFacts. */
export function clearFacts(f: FlowFacts): FlowFacts {
  f.sport = f.dport = f.icmpType = f.icmpCode = f.rpkts = f.rbytes = f.flags = f.rflags = f.vlan = undefined;
  f.state = f.smac = f.dmac = f.app = undefined;
  f.dns = undefined;
  f.dhcp = undefined;
  return f;
}

/** A batch of records as NDJSON text (each line ends in a newline), for readers whose text path cannot apply. */
export async function* asText(batches: AsyncIterable<unknown[]>): AsyncGenerator<string> {
  for await (const b of batches) {
    let s = '';
    for (const r of b) s += JSON.stringify(r) + '\n';
    if (s) yield s;
  }
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
