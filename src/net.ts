// Address work shared by every command: parsing, RFC 5952 formatting, ordering, CIDR sets.
// User input (flags, lists, filter expressions) is validated with ip-num; the per-record
// paths use the small fast functions below.
import { createRequire } from 'node:module';

// ip-num is loaded on first use: it costs about 0.1 s of CPU to load, which commands that only
// format addresses (fir ingest's per-flow path) need not pay
type IpNum = typeof import('ip-num');
let ipNum: IpNum | undefined;
const loadIpNum = (): IpNum => (ipNum ??= createRequire(import.meta.url)('ip-num') as IpNum);

/** IPv4 dotted quad to an unsigned 32-bit number; -1 when it is not one. */
export function parseIPv4(s: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // no leading zeros
      part = part * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + part;
}

export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** IPv6 text to a 128-bit bigint; undefined when it is not an IPv6 address. */
export function parseIPv6(s: string): bigint | undefined {
  if (s.indexOf(':') < 0) return undefined;
  let text = s;
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIPv4(maybeV4);
    if (v4 < 0) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    text = text.slice(0, lastColon + 1) + (text[lastColon - 1] === ':' ? '' : '0');
    if (text.endsWith(':0')) text = text.slice(0, -2);
    else if (!text.endsWith('::')) return undefined;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return undefined;
  const back = [...rest, ...tail];
  let words: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - back.length;
    if (fill < 1) return undefined;
    words = [...head, ...new Array<number>(fill).fill(0), ...back];
  } else {
    words = [...head, ...tail];
    if (words.length !== 8) return undefined;
  }
  let v = 0n;
  for (const w of words) v = (v << 16n) | BigInt(w);
  return v;
}

/** RFC 5952 text of 8 16-bit words (longest run of ≥2 zero words becomes ::, first on ties). */
export function formatIPv6Words(w: ArrayLike<number>): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // IPv4-mapped addresses keep the dotted tail (RFC 5952 section 5)
  if (bestStart === 0 && bestLen === 5 && w[5] === 0xffff) {
    return `::ffff:${w[6] >>> 8}.${w[6] & 255}.${w[7] >>> 8}.${w[7] & 255}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += w[i].toString(16);
    if (i < 7) s += ':';
  }
  return s;
}

/** RFC 5952 text of 16 bytes starting at `off`. */
export function formatIPv6Bytes(b: Uint8Array, off: number): string {
  const w = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) w[i] = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
  return formatIPv6Words(w);
}

export function formatIPv6(v: bigint): string {
  const w = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 7; i >= 0; i--) {
    w[i] = Number(v & 0xffffn);
    v >>= 16n;
  }
  return formatIPv6Words(w);
}

export interface ParsedIp {
  version: 4 | 6;
  /** the address as a number (v4) or bigint (v6) */
  value: number | bigint;
  text: string;
}

/** Parse an address and give its canonical text (dotted quad, RFC 5952). */
export function parseIp(s: string): ParsedIp | undefined {
  const t = s.trim();
  const v4 = parseIPv4(t);
  if (v4 >= 0) return { version: 4, value: v4, text: formatIPv4(v4) };
  const v6 = parseIPv6(t);
  if (v6 !== undefined) return { version: 6, value: v6, text: formatIPv6(v6) };
  return undefined;
}

/** Canonical text of an address, or undefined when it is not one. */
export function canonicalIp(s: string): string | undefined {
  return parseIp(s)?.text;
}

/** Order addresses: IPv4 before IPv6, numerically within each (the order of `targets`). */
export function compareIp(a: string, b: string): number {
  const pa = parseIp(a);
  const pb = parseIp(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (pa.version !== pb.version) return pa.version - pb.version;
  return pa.value < pb.value ? -1 : pa.value > pb.value ? 1 : 0;
}

export function sortIps(list: Iterable<string>): string[] {
  return [...new Set(list)].sort(compareIp);
}

export interface Cidr {
  version: 4 | 6;
  /** network address as number (v4) / bigint (v6), already masked */
  base: number | bigint;
  prefix: number;
  text: string;
}

/** Parse `ADDR` or `ADDR/LEN` (host bits are masked off); undefined when invalid. */
export function parseCidr(s: string): Cidr | undefined {
  const t = s.trim();
  const slash = t.indexOf('/');
  const addrText = slash < 0 ? t : t.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  // ip-num validates what our fast parser accepted, so user input is held to one standard
  const { IPv4, IPv6 } = loadIpNum();
  if (ip.version === 4 ? !IPv4.fromString(ip.text) : !IPv6.fromString(ip.text)) return undefined;
  if (ip.version === 4) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const base = ((ip.value as number) & mask) >>> 0;
    return { version: 4, base, prefix, text: `${formatIPv4(base)}/${prefix}` };
  }
  const mask = prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
  const base = (ip.value as bigint) & mask;
  return { version: 6, base, prefix, text: `${formatIPv6(base)}/${prefix}` };
}

/**
 * A set of networks with fast membership: one hash set per prefix length, so a lookup costs
 * one probe per distinct prefix length in the set, whatever the number of entries.
 */
export class CidrSet {
  private v4 = new Map<number, Set<number>>();
  private v6 = new Map<number, Set<bigint>>();
  private v4Lens: number[] = [];
  private v6Lens: number[] = [];
  size = 0;

  constructor(cidrs: Iterable<Cidr | string> = []) {
    for (const c of cidrs) this.add(c);
  }

  /** Add a network; returns false when the text is not a network. */
  add(c: Cidr | string): boolean {
    const cidr = typeof c === 'string' ? parseCidr(c) : c;
    if (!cidr) return false;
    if (cidr.version === 4) {
      let s = this.v4.get(cidr.prefix);
      if (!s) {
        this.v4.set(cidr.prefix, (s = new Set()));
        this.v4Lens = [...this.v4.keys()].sort((a, b) => a - b);
      }
      if (!s.has(cidr.base as number)) this.size++;
      s.add(cidr.base as number);
    } else {
      let s = this.v6.get(cidr.prefix);
      if (!s) {
        this.v6.set(cidr.prefix, (s = new Set()));
        this.v6Lens = [...this.v6.keys()].sort((a, b) => a - b);
      }
      if (!s.has(cidr.base as bigint)) this.size++;
      s.add(cidr.base as bigint);
    }
    return true;
  }

  /** Whether the address (text) is in one of the networks. */
  has(addr: string | undefined): boolean {
    if (addr === undefined) return false;
    const v4 = parseIPv4(addr);
    if (v4 >= 0) return this.hasV4(v4);
    if (this.v6Lens.length === 0) return false;
    const v6 = parseIPv6(addr);
    return v6 !== undefined && this.hasV6(v6);
  }

  hasV4(n: number): boolean {
    for (const len of this.v4Lens) {
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      if (this.v4.get(len)!.has((n & mask) >>> 0)) return true;
    }
    return false;
  }

  hasV6(v: bigint): boolean {
    for (const len of this.v6Lens) {
      const mask = len === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - len)) - 1n);
      if (this.v6.get(len)!.has(v & mask)) return true;
    }
    return false;
  }
}

/** Lower-case colon form of a MAC address, or undefined when it is not one. */
export function canonicalMac(s: string): string | undefined {
  const hex = s.trim().toLowerCase().replace(/[-:.]/g, '');
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}
