// The parsed expression compiled to a tree of small closures, each specialised for its node
// (addresses pre-parsed to numbers, lists pre-built into sets), so a record is tested with
// property reads and number compares and no allocation on the common paths. No eval.
import { CidrSet, formatIPv4, formatIPv6, parseIPv4, parseIPv6, canonicalMac, type Cidr } from '../net.js';
import { table, type CmpOp, type CountField, type Dir, type Node } from './parser.js';

/** A parsed NDJSON record (any kind). */
export type Rec = Record<string, unknown>;
export type Predicate = (rec: Rec) => boolean;
type Test<T> = (v: T) => boolean;

/**
 * `negated` is true under an odd number of `not`s: there a flags test asks whether any of its
 * letters was seen, so that `not flags AFRPU` means none of them (nfdump's rule, which makes
 * `flags S and not flags AFRPU` select SYN-only flows).
 */
export function compile(node: Node, negated = false): Predicate {
  switch (node.type) {
    case 'and': {
      const a = compile(node.left, negated);
      const b = compile(node.right, negated);
      return (r) => a(r) && b(r);
    }
    case 'or': {
      const a = compile(node.left, negated);
      const b = compile(node.right, negated);
      return (r) => a(r) || b(r);
    }
    case 'not': {
      const a = compile(node.expr, !negated);
      return (r) => !a(r);
    }
    case 'any':
      return () => true;
    case 'addr':
      return addressSide(node.dir, addressTest(node.cidrs));
    case 'target':
      return targetsMatch(addressTest(node.cidrs));
    case 'family':
      return familyTest(node.version);
    case 'port':
      return portSide(node.dir, numberTest(node.op, node.value));
    case 'portlist':
      return portSide(node.dir, rangesTest(node.ranges));
    case 'proto':
      return protoTest(node.values);
    case 'flags':
      return flagsTest(node.dir === 'src' ? 'flags' : 'rflags', node.mask, negated);
    case 'count':
      return countTest(node.field, node.dir, numberTest(node.op, node.value));
    case 'time':
      return timeTest(node.field, node.op, node.from, node.to);
    case 'mac':
      return macSide(node.dir, node.mac);
    case 'name':
      return nameTest(node.path, node.values, node.negate);
    case 'dnsname':
      return dnsNameTest(node.names, node.suffix, node.negate);
    case 'priority':
      return priorityTest(numberTest(node.op, node.rank));
    case 'technique':
      return techniqueTest(node.ids);
  }
}

/** Records whose address (src, dst, or any target) is in the set: `--ip-list`. */
export function ipListPredicate(set: CidrSet): Predicate {
  return addressSide('any', (s) => set.has(s));
}

// ---- addresses ----------------------------------------------------------------------------

/** A test of an address string against networks, the cheapest one for what is asked. */
export function addressTest(cidrs: Cidr[]): Test<string> {
  if (cidrs.length === 1) {
    const c = cidrs[0];
    if (c.version === 4) {
      const base = c.base as number;
      if (c.prefix === 32) {
        // a valid dotted quad has one spelling (parseIPv4 refuses leading zeros)
        const text = formatIPv4(base);
        return (s) => s === text;
      }
      const mask = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
      return (s) => {
        const n = parseIPv4(s);
        return n >= 0 && (n & mask) >>> 0 === base;
      };
    }
    const base = c.base as bigint;
    if (c.prefix === 128) {
      // records carry the RFC 5952 form; other spellings are compared by value
      const text = formatIPv6(base);
      return (s) => s === text || (s.indexOf(':') >= 0 && parseIPv6(s) === base);
    }
    const mask = c.prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - c.prefix)) - 1n);
    return (s) => {
      if (s.indexOf(':') < 0) return false;
      const v = parseIPv6(s);
      return v !== undefined && (v & mask) === base;
    };
  }
  const set = new CidrSet(cidrs);
  return (s) => set.has(s);
}

/** Summary records (fir flows) carry an address in `key`; `by` says which side it was. */
const ADDRESS_KEYS: Record<string, Dir> = table({ src: 'src', dst: 'dst', ip: 'any', host: 'any' });
const PORT_KEYS: Record<string, Dir> = table({ sport: 'src', dport: 'dst', port: 'any' });
const MAC_KEYS: Record<string, Dir> = table({ smac: 'src', dmac: 'dst', mac: 'any' });

function summaryKey(r: Rec, keys: Record<string, Dir>, dir: Dir): unknown {
  if (r.kind !== 'summary') return undefined;
  const by = r.by;
  if (typeof by !== 'string') return undefined;
  const side = keys[by];
  if (side === undefined || (dir !== 'any' && side !== dir)) return undefined;
  return r.key;
}

function srcAddress(test: Test<string>): Predicate {
  return (r) => {
    const s = r.src;
    if (typeof s === 'string') return test(s);
    const k = summaryKey(r, ADDRESS_KEYS, 'src');
    return typeof k === 'string' && test(k);
  };
}

/** The responder side: a flow's `dst`, an event's `targets`. */
function dstAddress(test: Test<string>): Predicate {
  return (r) => {
    const d = r.dst;
    if (typeof d === 'string') return test(d);
    const t = r.targets;
    if (Array.isArray(t)) {
      for (let i = 0; i < t.length; i++) if (typeof t[i] === 'string' && test(t[i])) return true;
      return false;
    }
    const k = summaryKey(r, ADDRESS_KEYS, 'dst');
    return typeof k === 'string' && test(k);
  };
}

function addressSide(dir: Dir, test: Test<string>): Predicate {
  if (dir === 'src') return srcAddress(test);
  const dst = dstAddress(test);
  if (dir === 'dst') return dst;
  return (r) => {
    const s = r.src;
    if (typeof s === 'string' && test(s)) return true;
    if (dst(r)) return true;
    if (s !== undefined) return false;
    const k = summaryKey(r, ADDRESS_KEYS, 'any');
    return typeof k === 'string' && test(k);
  };
}

function targetsMatch(test: Test<string>): Predicate {
  return (r) => {
    const t = r.targets;
    if (!Array.isArray(t)) return false;
    for (let i = 0; i < t.length; i++) if (typeof t[i] === 'string' && test(t[i])) return true;
    return false;
  };
}

/** ipv4 / ipv6: the record's addresses are of that family. */
function familyTest(version: 4 | 6): Predicate {
  return (r) => {
    let a = r.src;
    if (typeof a !== 'string') a = r.dst;
    if (typeof a !== 'string') return false;
    return version === 4 ? parseIPv4(a) >= 0 : a.indexOf(':') >= 0 && parseIPv6(a) !== undefined;
  };
}

// ---- numbers --------------------------------------------------------------------------------

export function numberTest(op: CmpOp, n: number): Test<number> {
  switch (op) {
    case '==':
      return (v) => v === n;
    case '!=':
      return (v) => v !== n;
    case '<':
      return (v) => v < n;
    case '<=':
      return (v) => v <= n;
    case '>':
      return (v) => v > n;
    case '>=':
      return (v) => v >= n;
  }
}

function rangesTest(ranges: [number, number][]): Test<number> {
  if (ranges.every(([lo, hi]) => lo === hi)) {
    const set = new Set(ranges.map(([lo]) => lo));
    return (v) => set.has(v);
  }
  const flat = Float64Array.from(ranges.flat());
  return (v) => {
    for (let i = 0; i < flat.length; i += 2) if (v >= flat[i] && v <= flat[i + 1]) return true;
    return false;
  };
}

/** Ports: a flow's sport/dport; an event's `ports` count as the destination side. */
function portSide(dir: Dir, test: Test<number>): Predicate {
  const summary = (r: Rec, d: Dir): boolean => {
    const k = summaryKey(r, PORT_KEYS, d);
    return typeof k === 'number' && test(k);
  };
  const dstPorts = (r: Rec): boolean => {
    const p = r.ports;
    if (!Array.isArray(p)) return summary(r, 'dst');
    for (let i = 0; i < p.length; i++) if (typeof p[i] === 'number' && test(p[i])) return true;
    return false;
  };
  if (dir === 'src') {
    return (r) => {
      const v = r.sport;
      return typeof v === 'number' ? test(v) : summary(r, 'src');
    };
  }
  if (dir === 'dst') {
    return (r) => {
      const v = r.dport;
      return typeof v === 'number' ? test(v) : dstPorts(r);
    };
  }
  return (r) => {
    const s = r.sport;
    const d = r.dport;
    if (typeof s === 'number' && test(s)) return true;
    if (typeof d === 'number') return test(d);
    if (s !== undefined) return false;
    return Array.isArray(r.ports) ? dstPorts(r) : summary(r, 'any');
  };
}

/** Packets and bytes: no side is the flow total (both directions); src and dst one direction each. */
function countTest(field: CountField, dir: Dir, test: Test<number>): Predicate {
  if (field === 'packets' || field === 'bytes') {
    const fwd = field === 'packets' ? 'pkts' : 'bytes';
    const rev = field === 'packets' ? 'rpkts' : 'rbytes';
    if (dir === 'src') return (r) => { const v = r[fwd]; return typeof v === 'number' && test(v); };
    if (dir === 'dst') return (r) => { const v = r[rev]; return typeof v === 'number' && test(v); };
    return (r) => {
      const v = r[fwd];
      if (typeof v !== 'number') return false;
      const w = r[rev];
      return test(typeof w === 'number' ? v + w : v);
    };
  }
  if (field === 'duration') {
    return (r) => {
      const a = r.start;
      const b = r.end;
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      const d = Date.parse(b) - Date.parse(a);
      return d === d && test(d); // NaN when a time does not parse
    };
  }
  return (r) => {
    const v = r[field];
    return typeof v === 'number' && test(v);
  };
}

// ---- times ----------------------------------------------------------------------------------

/**
 * The record's time cut to the precision written, compared with the period [from, to):
 * `= T` within it, `< T` before it, `> T` after it, `<= T` before its end, `>= T` from its start.
 * Times in the contract's form (24 characters, ending in Z) compare as strings; others parse.
 */
function timeTest(field: 'start' | 'end', op: CmpOp, from: number, to: number): Predicate {
  const fromS = new Date(from).toISOString();
  const toS = new Date(to).toISOString();
  let str: Test<string>;
  let num: Test<number>;
  switch (op) {
    case '==': str = (s) => s >= fromS && s < toS; num = (t) => t >= from && t < to; break;
    case '!=': str = (s) => s < fromS || s >= toS; num = (t) => t < from || t >= to; break;
    case '<': str = (s) => s < fromS; num = (t) => t < from; break;
    case '>=': str = (s) => s >= fromS; num = (t) => t >= from; break;
    case '>': str = (s) => s >= toS; num = (t) => t >= to; break;
    case '<=': str = (s) => s < toS; num = (t) => t < to; break;
  }
  const canonical = fromS.length === 24 && toS.length === 24; // years 0000-9999
  return (r) => {
    const s = r[field];
    if (typeof s !== 'string') return false;
    if (canonical && isCanonicalTime(s)) return str(s);
    const t = Date.parse(s);
    return t === t && num(t);
  };
}

const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` naming a real instant: such times sort as strings exactly as they
 * do as times (Date.parse is ten times slower). Anything else (2026-02-30, T24:00) is parsed.
 */
function isCanonicalTime(s: string): boolean {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 || s.charCodeAt(10) !== 84 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46) return false;
  for (const i of DIGIT_AT) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const two = (i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;
  const month = two(5);
  const day = two(8);
  if (month < 1 || month > 12 || day < 1 || two(11) > 23 || two(14) > 59 || two(17) > 59) return false;
  if (day <= DAYS[month - 1]) return true;
  const year = two(0) * 100 + two(2);
  return month === 2 && day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

// ---- TCP flags ------------------------------------------------------------------------------

function flagBits(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) {
    switch (s.charCodeAt(i) | 32) {
      case 102: m |= 1; break; // F
      case 115: m |= 2; break; // S
      case 114: m |= 4; break; // R
      case 112: m |= 8; break; // P
      case 97: m |= 16; break; // A
      case 117: m |= 32; break; // U
      case 101: m |= 64; break; // E
      case 99: m |= 128; break; // C
    }
  }
  return m;
}

/** nfdump's `flags X`: every flag named was seen (the others do not matter); negated: any was seen. */
function flagsTest(field: 'flags' | 'rflags', mask: number, negated: boolean): Predicate {
  if (negated) {
    return (r) => {
      const f = r[field];
      return typeof f === 'string' && (flagBits(f) & mask) !== 0;
    };
  }
  return (r) => {
    const f = r[field];
    return typeof f === 'string' && (flagBits(f) & mask) === mask;
  };
}

// ---- names ----------------------------------------------------------------------------------

function protoTest(values: string[]): Predicate {
  const set = new Set(values);
  return (r) => {
    const p = r.proto;
    if (typeof p === 'string') return set.has(p) || set.has(p.toLowerCase());
    return typeof p === 'number' && set.has(String(p));
  };
}

function macSide(dir: Dir, mac: string): Predicate {
  const same = (v: unknown): boolean => {
    if (typeof v !== 'string') return false;
    if (v === mac) return true;
    // the contract's colon form differing from `mac` is another MAC; other spellings are normalised
    const colons = v.length === 17 && v.charCodeAt(2) === 58 && v.charCodeAt(5) === 58 && v.charCodeAt(8) === 58 && v.charCodeAt(11) === 58 && v.charCodeAt(14) === 58;
    return colons ? v.toLowerCase() === mac : canonicalMac(v) === mac;
  };
  if (dir === 'src') return (r) => same(r.smac) || same(r.src_mac) || same(summaryKey(r, MAC_KEYS, 'src'));
  if (dir === 'dst') return (r) => same(r.dmac) || same(summaryKey(r, MAC_KEYS, 'dst'));
  return (r) => same(r.smac) || same(r.dmac) || same(r.src_mac) || same(summaryKey(r, MAC_KEYS, 'any'));
}

function fieldAt(r: Rec, path: string[]): unknown {
  let v: unknown = r[path[0]];
  for (let i = 1; i < path.length; i++) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Rec)[path[i]];
  }
  return v;
}

/** Case-insensitive equality with one of the values; a record without the field never matches. */
function nameTest(path: string[], values: string[], negate: boolean): Predicate {
  let test: Test<string>;
  if (values.length === 1) {
    const want = values[0];
    // lower-casing keeps the length of anything that can become ASCII, so the length check is exact then
    test = /^[\x00-\x7f]*$/.test(want) ? (v) => v.length === want.length && (v === want || v.toLowerCase() === want) : (v) => v === want || v.toLowerCase() === want;
  } else {
    const set = new Set(values);
    test = (v) => set.has(v) || set.has(v.toLowerCase());
  }
  if (path.length === 1) {
    const key = path[0];
    return (r) => {
      const v = r[key];
      return typeof v === 'string' && test(v) !== negate;
    };
  }
  return (r) => {
    const v = fieldAt(r, path);
    return typeof v === 'string' && test(v) !== negate;
  };
}

/** `dns name x.org`: dns.qname is x.org or ends with .x.org; with `=`, only x.org itself. */
function dnsNameTest(names: string[], suffix: boolean, negate: boolean): Predicate {
  const dotted = names.map((n) => '.' + n);
  return (r) => {
    const d = r.dns;
    if (typeof d !== 'object' || d === null) return false;
    const q = (d as Rec).qname;
    if (typeof q !== 'string') return false;
    let name = q.toLowerCase();
    if (name.endsWith('.')) name = name.slice(0, -1);
    let hit = false;
    for (let i = 0; i < names.length && !hit; i++) hit = name === names[i] || (suffix && name.endsWith(dotted[i]));
    return hit !== negate;
  };
}

const RANK: Record<string, number> = table({ critical: 4, high: 3, medium: 2, low: 1, info: 0 });

function priorityTest(test: Test<number>): Predicate {
  return (r) => {
    const p = r.priority;
    if (typeof p !== 'string') return false;
    const k = RANK[p] ?? RANK[p.toLowerCase()];
    return k !== undefined && test(k);
  };
}

/** `technique T1110` matches T1110 and its sub-techniques (T1110.001). */
function techniqueTest(ids: string[]): Predicate {
  return (r) => {
    const a = r.attack;
    if (typeof a !== 'object' || a === null) return false;
    const t = (a as Rec).technique;
    if (typeof t !== 'string') return false;
    const id = t.toUpperCase();
    for (const want of ids) if (id === want || (id.startsWith(want) && id.charCodeAt(want.length) === 46)) return true;
    return false;
  };
}
