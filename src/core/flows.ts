// fir flows as pure transforms: group-by and top-N over any key (with address prefixes and
// distinct counts), time bins, and the profile of one host. Memory grows with the number of
// keys (and the distinct values counted per key), never with the number of flows.
import { compareIp, formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../net.js';
import { isoTime, timeMs } from '../record.js';

export type Order = 'flows' | 'pkts' | 'bytes';
/** Which endpoint of a flow a key value is: originator, responder, both (a flow inside one network), or neither. */
type Side = 'o' | 'r' | 'b' | undefined;

export interface KeyValue {
  v: string | number;
  side: Side;
}

/** One key of `--by` or `--distinct`: how to take its value(s) out of a flow. */
export interface KeySpec {
  name: string;
  /** whether the values name one endpoint (so sent/received can be told) */
  endpoint: boolean;
  /** values of the key in a flow; empty when the flow has none */
  values(f: FlowLike, out: KeyValue[]): void;
}

/** A flow as parsed from NDJSON (fields of the contract, possibly missing or of a wrong type). */
export type FlowLike = Record<string, any>;

const ALIASES: Record<string, string> = {
  dns: 'dns.qname',
  qname: 'dns.qname',
  qtype: 'dns.qtype',
  rcode: 'dns.rcode',
  hostname: 'dhcp.hostname',
  dhcp: 'dhcp.msg',
  arp: 'arp.op',
  protocol: 'proto',
  srcip: 'src',
  dstip: 'dst',
  srcport: 'sport',
  dstport: 'dport',
};

/** The address prefix of a text address: `v4len` bits for IPv4, `v6len` for IPv6. */
export function addressPrefix(addr: string, v4len: number, v6len: number): string | undefined {
  const v4 = parseIPv4(addr);
  if (v4 >= 0) {
    const mask = v4len === 0 ? 0 : (0xffffffff << (32 - v4len)) >>> 0;
    return `${formatIPv4((v4 & mask) >>> 0)}/${v4len}`;
  }
  const v6 = parseIPv6(addr);
  if (v6 === undefined) return undefined;
  const mask = v6len === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - v6len)) - 1n);
  return `${formatIPv6(v6 & mask)}/${v6len}`;
}

function scalar(v: unknown): string | number | undefined {
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return String(v);
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return undefined;
}

function push(out: KeyValue[], v: unknown, side: Side): void {
  if (Array.isArray(v)) {
    for (const x of v) {
      const s = scalar(x);
      if (s !== undefined) out.push({ v: s, side });
    }
    return;
  }
  const s = scalar(v);
  if (s !== undefined) out.push({ v: s, side });
}

/**
 * Parse one key name of `--by`/`--distinct`: the named keys (src, dst, ip, peer, pair, port,
 * mac, service…), address prefixes (`src/24`, `src/64`, `ip/24/48`), or any field, dotted for
 * nested ones (`dns.qtype`). `host` is the address of `--host` (needed by `peer`).
 * Returns an error message instead when the name cannot be a key.
 */
export function parseKey(raw: string, host?: string): KeySpec | string {
  const name = raw.trim();
  const lower = name.toLowerCase();
  const pfx = /^(src|dst|ip|peer)\/(\d{1,3})(?:\/(\d{1,3}))?$/.exec(lower);
  if (pfx) {
    const a = Number(pfx[2]);
    const b = pfx[3] === undefined ? undefined : Number(pfx[3]);
    let v4len: number;
    let v6len: number;
    if (b !== undefined) {
      v4len = a;
      v6len = b;
    } else if (a <= 32) {
      v4len = a;
      v6len = 64;
    } else {
      v4len = 32;
      v6len = a;
    }
    if (v4len > 32 || v6len > 128) return `${name}: a prefix is at most /32 for IPv4 and /128 for IPv6`;
    const base = addressKey(pfx[1], host);
    if (typeof base === 'string') return base;
    return {
      name,
      endpoint: true,
      values(f, out) {
        const tmp: KeyValue[] = [];
        base.values(f, tmp);
        const from = out.length;
        for (const kv of tmp) {
          const p = typeof kv.v === 'string' ? addressPrefix(kv.v, v4len, v6len) : undefined;
          if (p === undefined) continue;
          // both ends in one network: the flow counts once for it, as sender and receiver
          if (out.length > from && out[from].v === p) out[from].side = 'b';
          else out.push({ v: p, side: kv.side });
        }
      },
    };
  }
  if (lower === 'src' || lower === 'dst' || lower === 'ip' || lower === 'peer') {
    const k = addressKey(lower, host);
    return typeof k === 'string' ? k : { ...k, name };
  }
  switch (lower) {
    case 'pair':
      return {
        name,
        endpoint: false,
        values(f, out) {
          if (typeof f.src === 'string' && typeof f.dst === 'string') out.push({ v: `${f.src} → ${f.dst}`, side: undefined });
        },
      };
    case 'port':
      return {
        name,
        endpoint: true,
        values(f, out) {
          if (typeof f.sport === 'number') out.push({ v: f.sport, side: 'o' });
          if (typeof f.dport === 'number' && f.dport !== f.sport) out.push({ v: f.dport, side: 'r' });
        },
      };
    case 'mac':
      return {
        name,
        endpoint: true,
        values(f, out) {
          if (typeof f.smac === 'string') out.push({ v: f.smac, side: 'o' });
          if (typeof f.dmac === 'string' && f.dmac !== f.smac) out.push({ v: f.dmac, side: 'r' });
        },
      };
    case 'service':
      return {
        name,
        endpoint: false,
        values(f, out) {
          const s = serviceOf(f);
          if (s !== undefined) out.push({ v: s, side: undefined });
        },
      };
    case 'sport':
    case 'smac':
      return { name, endpoint: true, values: (f, out) => push(out, f[lower], 'o') };
    case 'dport':
    case 'dmac':
      return { name, endpoint: true, values: (f, out) => push(out, f[lower], 'r') };
    case 'duration':
      return {
        name,
        endpoint: false,
        values(f, out) {
          const d = timeMs(f.end) - timeMs(f.start);
          if (d >= 0) out.push({ v: d / 1000, side: undefined });
        },
      };
  }
  const path = (ALIASES[lower] ?? name).split('.');
  if (path.some((p) => p === '' || p === '__proto__')) return `${name}: not a field name`;
  if (path.length === 1) {
    const field = path[0];
    return { name, endpoint: false, values: (f, out) => push(out, f[field], undefined) };
  }
  return {
    name,
    endpoint: false,
    values(f, out) {
      let v: any = f;
      for (const p of path) {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
        v = v[p];
      }
      push(out, v, undefined);
    },
  };
}

function addressKey(which: string, host?: string): KeySpec | string {
  switch (which) {
    case 'src':
      return { name: 'src', endpoint: true, values: (f, out) => void (typeof f.src === 'string' && out.push({ v: f.src, side: 'o' })) };
    case 'dst':
      return { name: 'dst', endpoint: true, values: (f, out) => void (typeof f.dst === 'string' && out.push({ v: f.dst, side: 'r' })) };
    case 'ip':
      // either side: a flow counts once for each of its two addresses
      return {
        name: 'ip',
        endpoint: true,
        values(f, out) {
          if (typeof f.src === 'string') out.push({ v: f.src, side: f.dst === f.src ? 'b' : 'o' });
          if (typeof f.dst === 'string' && f.dst !== f.src) out.push({ v: f.dst, side: 'r' });
        },
      };
    default: {
      if (host === undefined) return 'peer: the other side relative to --host: give --host ADDR';
      return {
        name: 'peer',
        endpoint: true,
        values(f, out) {
          if (f.src === host && typeof f.dst === 'string') out.push({ v: f.dst, side: 'r' });
          else if (f.dst === host && typeof f.src === 'string') out.push({ v: f.src, side: 'o' });
        },
      };
    }
  }
}

/** `tcp/22`, `udp/53`, `icmp/8` (type), or the protocol alone. */
export function serviceOf(f: FlowLike): string | undefined {
  if (typeof f.proto !== 'string') return undefined;
  if (typeof f.dport === 'number') return `${f.proto}/${f.dport}`;
  if (typeof f.icmp_type === 'number') return `${f.proto}/${f.icmp_type}`;
  return f.proto;
}

/** The name of a distinct count field: `distinct_dst`, `distinct_src_24`, `distinct_dns_qtype`. */
export function distinctField(name: string): string {
  return 'distinct_' + name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

const n0 = (v: unknown): number => (typeof v === 'number' && v >= 0 ? v : 0);

/** Packet and byte counts of a flow: originator → responder, and back. */
function counts(f: FlowLike): [number, number, number, number] {
  return [n0(f.pkts), n0(f.bytes), n0(f.rpkts), n0(f.rbytes)];
}

interface BinAcc {
  flows: number;
  pkts: number;
  bytes: number;
}

interface Group {
  key: unknown;
  flows: number;
  pkts: number;
  bytes: number;
  sentPkts: number;
  sentBytes: number;
  rcvdPkts: number;
  rcvdBytes: number;
  start: string;
  end: string;
  distinct: Set<string | number>[];
  bins?: Map<number, BinAcc>;
}

export interface SummaryRecord {
  kind: 'summary';
  by: string;
  key: unknown;
  flows: number;
  pkts: number;
  bytes: number;
  sent_pkts?: number;
  sent_bytes?: number;
  rcvd_pkts?: number;
  rcvd_bytes?: number;
  start?: string;
  end?: string;
  [distinct: string]: unknown;
}

export interface BinRecord {
  kind: 'bin';
  start: string;
  end: string;
  by?: string;
  key?: unknown;
  flows: number;
  pkts: number;
  bytes: number;
  [k: string]: unknown;
}

export interface SummarizeOptions {
  by: KeySpec[];
  distinct?: KeySpec[];
  order?: Order;
  /** keep the first N keys in order; 0 or undefined: all */
  top?: number;
  /** bin width in ms: bin records per key (and for all flows when `by` is empty) */
  binMs?: number;
}

/** The canonical ISO text of a time field, or undefined when it is not a time. */
export function isoOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  // the contract's form sorts as text: keep it as it is (the common case, no parsing)
  if (v.length === 24 && v.charCodeAt(23) === 90 && v.charCodeAt(10) === 84) return v;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : isoTime(ms);
}

/** Order of key values for ties: numbers numerically, addresses as addresses, text as text. */
export function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareKeys(a[i], b[i]);
      if (c) return c;
    }
    return a.length - b.length;
  }
  const sa = String(a);
  const sb = String(b);
  if (sa === sb) return 0;
  if ((sa.includes('.') || sa.includes(':')) && (sb.includes('.') || sb.includes(':'))) {
    const c = compareIp(sa.split('/')[0], sb.split('/')[0]);
    if (c) return c;
  }
  return NATURAL(sa, sb) || (sa < sb ? -1 : 1);
}

/** Text with numbers in it in their numeric order: tcp/22 before tcp/100. */
const NATURAL = new Intl.Collator('en', { numeric: true }).compare;

/**
 * Group-by over flows. `add` each flow; `summaries()` gives the summary records (ordered,
 * cut to top N), `bins()` the bin records. Memory: one entry per key, plus the distinct
 * values per key and the bins per key when asked.
 */
export class Summarizer {
  private groups = new Map<string, Group>();
  private all: Map<number, BinAcc> | undefined;
  private readonly by: KeySpec[];
  private readonly distinct: KeySpec[];
  private readonly by1: KeySpec | undefined;
  private readonly endpointKey: KeySpec | undefined;
  private readonly scratch: KeyValue[][];
  private readonly dscratch: KeyValue[] = [];
  /** flows that had no value for the keys, so are in no summary */
  missing = 0;
  flows = 0;
  readonly byName: string;

  constructor(private readonly opts: SummarizeOptions) {
    this.by = opts.by;
    this.distinct = opts.distinct ?? [];
    this.by1 = this.by.length === 1 ? this.by[0] : undefined;
    this.endpointKey = this.by.find((k) => k.endpoint);
    this.scratch = this.by.map(() => []);
    this.byName = this.by.map((k) => k.name).join(',');
    if (opts.binMs && this.by.length === 0) this.all = new Map();
  }

  add(f: FlowLike): void {
    this.flows++;
    const start = isoOf(f.start) ?? '';
    const end = isoOf(f.end) ?? start;
    const [p, b, rp, rb] = counts(f);
    const bin = this.opts.binMs ? Math.floor(timeMs(start) / this.opts.binMs) : NaN;
    if (this.all) {
      if (!Number.isNaN(bin)) addBin(this.all, bin, p + rp, b + rb);
      return;
    }
    if (this.by1) {
      // one key, the common case: no combinations to build
      const vals = this.scratch[0];
      vals.length = 0;
      this.by1.values(f, vals);
      if (vals.length === 0) {
        this.missing++;
        return;
      }
      for (let i = 0; i < vals.length; i++) {
        const kv = vals[i];
        const ks = typeof kv.v === 'number' ? 'n' + kv.v : kv.v;
        this.count(ks, kv.v, kv.side, f, start, end, p, b, rp, rb, bin);
      }
      return;
    }
    const lists = this.scratch;
    for (let i = 0; i < this.by.length; i++) {
      lists[i].length = 0;
      this.by[i].values(f, lists[i]);
      if (lists[i].length === 0) {
        this.missing++;
        return;
      }
    }
    // every combination of the keys' values (more than one only for ip, port, mac, arrays)
    const idx = new Array<number>(lists.length).fill(0);
    for (;;) {
      const key: (string | number)[] = [];
      let side: Side;
      let ks = '';
      for (let i = 0; i < lists.length; i++) {
        const kv = lists[i][idx[i]];
        key.push(kv.v);
        ks += (typeof kv.v === 'number' ? 'n' + kv.v : kv.v) + '\u0000';
        if (side === undefined && this.by[i] === this.endpointKey) side = kv.side;
      }
      this.count(ks, key, side, f, start, end, p, b, rp, rb, bin);
      let i = lists.length - 1;
      while (i >= 0 && ++idx[i] >= lists[i].length) idx[i--] = 0;
      if (i < 0) break;
    }
  }

  private count(ks: string, key: unknown, side: Side, f: FlowLike, start: string, end: string, p: number, b: number, rp: number, rb: number, bin: number): void {
    let g = this.groups.get(ks);
    if (!g) {
      g = { key, flows: 0, pkts: 0, bytes: 0, sentPkts: 0, sentBytes: 0, rcvdPkts: 0, rcvdBytes: 0, start, end, distinct: this.distinct.map(() => new Set()) };
      if (this.opts.binMs) g.bins = new Map();
      this.groups.set(ks, g);
    }
    g.flows++;
    g.pkts += p + rp;
    g.bytes += b + rb;
    if (side === 'o') {
      g.sentPkts += p;
      g.sentBytes += b;
      g.rcvdPkts += rp;
      g.rcvdBytes += rb;
    } else if (side === 'r') {
      g.sentPkts += rp;
      g.sentBytes += rb;
      g.rcvdPkts += p;
      g.rcvdBytes += b;
    } else if (side === 'b') {
      g.sentPkts += p + rp;
      g.sentBytes += b + rb;
      g.rcvdPkts += p + rp;
      g.rcvdBytes += b + rb;
    }
    if (start && (g.start === '' || start < g.start)) g.start = start;
    if (end > g.end) g.end = end;
    for (let i = 0; i < this.distinct.length; i++) {
      const d = this.dscratch;
      d.length = 0;
      this.distinct[i].values(f, d);
      for (const kv of d) g.distinct[i].add(kv.v);
    }
    if (g.bins && !Number.isNaN(bin)) addBin(g.bins, bin, p + rp, b + rb);
  }

  /** The groups in order (most first, ties by key), cut to top N. */
  private ordered(): Group[] {
    const order = this.opts.order ?? 'flows';
    const list = [...this.groups.values()];
    list.sort((a, b) => b[order] - a[order] || b.flows - a.flows || compareKeys(a.key, b.key));
    const top = this.opts.top ?? 0;
    return top > 0 ? list.slice(0, top) : list;
  }

  /** How many keys there are in all (before top N). */
  get keys(): number {
    return this.groups.size;
  }

  summaries(): SummaryRecord[] {
    return this.ordered().map((g) => {
      const r: SummaryRecord = { kind: 'summary', by: this.byName, key: g.key, flows: g.flows, pkts: g.pkts, bytes: g.bytes };
      if (this.endpointKey) {
        r.sent_pkts = g.sentPkts;
        r.sent_bytes = g.sentBytes;
        r.rcvd_pkts = g.rcvdPkts;
        r.rcvd_bytes = g.rcvdBytes;
      }
      if (g.start) r.start = g.start;
      if (g.end) r.end = g.end;
      this.distinct.forEach((d, i) => (r[distinctField(d.name)] = g.distinct[i].size));
      return r;
    });
  }

  /**
   * Bin records: for all flows (without keys: every bin from the first to the last, empty ones
   * as zeros), or per key of the top N, in key order then time (non-empty bins only).
   */
  bins(): BinRecord[] {
    const w = this.opts.binMs;
    if (!w) return [];
    if (this.all) return binRecords(this.all, w, true);
    const out: BinRecord[] = [];
    for (const g of this.ordered()) {
      for (const r of binRecords(g.bins!, w, false)) out.push({ kind: 'bin', start: r.start, end: r.end, by: this.byName, key: g.key, flows: r.flows, pkts: r.pkts, bytes: r.bytes });
    }
    return out;
  }

  /** Per key of the top N: its series over the common bin range (for a chart column). */
  series(metric: Order): { range: [number, number] | undefined; values: number[][] } {
    const w = this.opts.binMs;
    const groups = this.ordered();
    if (!w) return { range: undefined, values: [] };
    let lo = Infinity;
    let hi = -Infinity;
    for (const g of groups) for (const k of g.bins!.keys()) (lo = Math.min(lo, k)), (hi = Math.max(hi, k));
    if (lo > hi) return { range: undefined, values: groups.map(() => []) };
    const n = hi - lo + 1;
    if (n > 100_000) return { range: undefined, values: groups.map(() => []) };
    return {
      range: [lo * w, (hi + 1) * w],
      values: groups.map((g) => {
        const v = new Array<number>(n).fill(0);
        for (const [k, acc] of g.bins!) v[k - lo] = acc[metric];
        return v;
      }),
    };
  }
}

function addBin(m: Map<number, BinAcc>, bin: number, pkts: number, bytes: number): void {
  const acc = m.get(bin);
  if (acc) {
    acc.flows++;
    acc.pkts += pkts;
    acc.bytes += bytes;
  } else m.set(bin, { flows: 1, pkts, bytes });
}

/** Bins above this many are not filled with zeros (a stray far-off time would explode them). */
const MAX_FILLED_BINS = 100_000;

/** Bin records of a bin map, in time order; with `fill`, empty bins in between as zeros. */
export function binRecords(m: Map<number, BinAcc>, w: number, fill: boolean): BinRecord[] {
  const keys = [...m.keys()].sort((a, b) => a - b);
  if (keys.length === 0) return [];
  const out: BinRecord[] = [];
  const lo = keys[0];
  const hi = keys[keys.length - 1];
  if (fill && hi - lo < MAX_FILLED_BINS) {
    for (let k = lo; k <= hi; k++) {
      const a = m.get(k);
      out.push({ kind: 'bin', start: isoTime(k * w), end: isoTime((k + 1) * w), flows: a?.flows ?? 0, pkts: a?.pkts ?? 0, bytes: a?.bytes ?? 0 });
    }
    return out;
  }
  for (const k of keys) {
    const a = m.get(k)!;
    out.push({ kind: 'bin', start: isoTime(k * w), end: isoTime((k + 1) * w), flows: a.flows, pkts: a.pkts, bytes: a.bytes });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The profile of one host

interface Acc {
  flows: number;
  pkts: number;
  bytes: number;
  start: string;
  end: string;
}

function acc(): Acc {
  return { flows: 0, pkts: 0, bytes: 0, start: '', end: '' };
}

function addAcc(a: Acc, pkts: number, bytes: number, start: string, end: string): void {
  a.flows++;
  a.pkts += pkts;
  a.bytes += bytes;
  if (start && (a.start === '' || start < a.start)) a.start = start;
  if (end > a.end) a.end = end;
}

interface PeerAcc extends Acc {
  clientFlows: number;
  serverFlows: number;
}

interface ServiceAcc extends Acc {
  peers: Set<string>;
}

/** Nice bin widths for the automatic chart, each a multiple of the resolution it is built from. */
const NICE_BINS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 21600, 86400].map((s) => s * 1000);
/** Resolutions the fine series is kept at, each a multiple of the one before. */
const RESOLUTIONS = [1, 10, 60, 600, 3600, 86400].map((s) => s * 1000);
const MAX_FINE = 20_000;

export interface HostProfileOptions {
  host: string;
  /** how peers and services are ordered (descending); default flows */
  order?: Order;
  /** flows kept for the detailed table (the earliest, in time order) */
  limit: number;
  /** peers and services shown */
  top: number;
  /** bin width for the chart; automatic (about `chartBins` bins) when absent */
  binMs?: number;
  chartBins?: number;
}

export interface HostProfile {
  host: string;
  total: SummaryRecord;
  peers: SummaryRecord[];
  clientServices: SummaryRecord[];
  serverServices: SummaryRecord[];
  bins: BinRecord[];
  binMs: number;
  /** the earliest `limit` flows, as their raw lines */
  flows: string[];
  flowCount: number;
}

/**
 * The profile of one address: totals as client and as server, its peers, its services (the
 * ports it used as a client and its ports that others used), its traffic over time and its
 * earliest flows. Memory: peers + services + bins + `limit` lines.
 */
export class HostProfiler {
  private total = acc();
  private client = acc();
  private server = acc();
  private sent = [0, 0];
  private rcvd = [0, 0];
  private peers = new Map<string, PeerAcc>();
  private clientSvc = new Map<string, ServiceAcc>();
  private serverSvc = new Map<string, ServiceAcc>();
  private fine = new Map<number, BinAcc>();
  private res: number;
  private kept: { t: number; seq: number; raw: string }[] = [];
  private seq = 0;

  constructor(private readonly opts: HostProfileOptions) {
    this.res = opts.binMs ?? RESOLUTIONS[0];
  }

  /** Whether a flow involves the host (so `add` should be called). */
  involves(f: FlowLike): boolean {
    return f.src === this.opts.host || f.dst === this.opts.host;
  }

  add(f: FlowLike, raw: string): void {
    const h = this.opts.host;
    const isClient = f.src === h;
    const isServer = f.dst === h && !isClient;
    if (!isClient && !isServer) return;
    const start = isoOf(f.start) ?? '';
    const end = isoOf(f.end) ?? start;
    const [p, b, rp, rb] = counts(f);
    addAcc(this.total, p + rp, b + rb, start, end);
    if (isClient) {
      addAcc(this.client, p + rp, b + rb, start, end);
      this.sent[0] += p;
      this.sent[1] += b;
      this.rcvd[0] += rp;
      this.rcvd[1] += rb;
    } else {
      addAcc(this.server, p + rp, b + rb, start, end);
      this.sent[0] += rp;
      this.sent[1] += rb;
      this.rcvd[0] += p;
      this.rcvd[1] += b;
    }
    const peer = isClient ? f.dst : f.src;
    if (typeof peer === 'string') {
      let pa = this.peers.get(peer);
      if (!pa) this.peers.set(peer, (pa = { ...acc(), clientFlows: 0, serverFlows: 0 }));
      addAcc(pa, p + rp, b + rb, start, end);
      if (isClient) pa.clientFlows++;
      else pa.serverFlows++;
    }
    const svc = serviceOf(f);
    if (svc !== undefined) {
      const m = isClient ? this.clientSvc : this.serverSvc;
      let sa = m.get(svc);
      if (!sa) m.set(svc, (sa = { ...acc(), peers: new Set() }));
      addAcc(sa, p + rp, b + rb, start, end);
      if (typeof peer === 'string') sa.peers.add(peer);
    }
    const t = timeMs(start);
    if (!Number.isNaN(t)) {
      addBin(this.fine, Math.floor(t / this.res), p + rp, b + rb);
      if (this.opts.binMs === undefined && this.fine.size > MAX_FINE) this.coarsen();
      this.keep(t, raw);
    }
  }

  /** Keep the earliest `limit` flows (time, then input order) in a small sorted array. */
  private keep(t: number, raw: string): void {
    const seq = this.seq++;
    const k = this.kept;
    if (this.opts.limit <= 0) return;
    if (k.length >= this.opts.limit && t >= k[k.length - 1].t) return;
    let lo = 0;
    let hi = k.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (k[mid].t <= t) lo = mid + 1;
      else hi = mid;
    }
    k.splice(lo, 0, { t, seq, raw });
    if (k.length > this.opts.limit) k.pop();
  }

  private coarsen(): void {
    const next = RESOLUTIONS.find((r) => r > this.res);
    if (next === undefined) return;
    const m = new Map<number, BinAcc>();
    for (const [k, a] of this.fine) {
      const nk = Math.floor((k * this.res) / next);
      const x = m.get(nk);
      if (x) {
        x.flows += a.flows;
        x.pkts += a.pkts;
        x.bytes += a.bytes;
      } else m.set(nk, { ...a });
    }
    this.fine = m;
    this.res = next;
  }

  result(): HostProfile {
    const h = this.opts.host;
    const top = this.opts.top;
    const total: SummaryRecord = {
      kind: 'summary',
      by: 'host',
      key: h,
      flows: this.total.flows,
      pkts: this.total.pkts,
      bytes: this.total.bytes,
      sent_pkts: this.sent[0],
      sent_bytes: this.sent[1],
      rcvd_pkts: this.rcvd[0],
      rcvd_bytes: this.rcvd[1],
      client_flows: this.client.flows,
      client_pkts: this.client.pkts,
      client_bytes: this.client.bytes,
      server_flows: this.server.flows,
      server_pkts: this.server.pkts,
      server_bytes: this.server.bytes,
      distinct_peers: this.peers.size,
      distinct_client_services: this.clientSvc.size,
      distinct_server_services: this.serverSvc.size,
    };
    if (this.total.start) total.start = this.total.start;
    if (this.total.end) total.end = this.total.end;
    const cut = <T>(l: T[]) => (top > 0 ? l.slice(0, top) : l);
    const o = this.opts.order ?? 'flows';
    const sortAcc = <T extends Acc>(m: Map<string, T>) => [...m.entries()].sort((a, b) => b[1][o] - a[1][o] || b[1].flows - a[1].flows || compareKeys(a[0], b[0]));
    const peers = cut(sortAcc(this.peers)).map(([k, a]) => {
      const r: SummaryRecord = { kind: 'summary', by: 'peer', host: h, key: k, flows: a.flows, pkts: a.pkts, bytes: a.bytes, host_client_flows: a.clientFlows, host_server_flows: a.serverFlows };
      if (a.start) r.start = a.start;
      if (a.end) r.end = a.end;
      return r;
    });
    const services = (m: Map<string, ServiceAcc>, role: string) =>
      cut(sortAcc(m)).map(([k, a]) => {
        const r: SummaryRecord = { kind: 'summary', by: 'service', role, host: h, key: k, flows: a.flows, pkts: a.pkts, bytes: a.bytes, distinct_peers: a.peers.size };
        if (a.start) r.start = a.start;
        if (a.end) r.end = a.end;
        return r;
      });
    const binMs = this.opts.binMs ?? this.chooseBin();
    const m = new Map<number, BinAcc>();
    for (const [k, a] of this.fine) {
      const nk = Math.floor((k * this.res) / binMs);
      const x = m.get(nk);
      if (x) {
        x.flows += a.flows;
        x.pkts += a.pkts;
        x.bytes += a.bytes;
      } else m.set(nk, { ...a });
    }
    const bins = binRecords(m, binMs, true).map((r) => ({ ...r, host: h }));
    return {
      host: h,
      total,
      peers,
      clientServices: services(this.clientSvc, 'client'),
      serverServices: services(this.serverSvc, 'server'),
      bins,
      binMs,
      flows: this.kept.map((k) => k.raw),
      flowCount: this.total.flows,
    };
  }

  /** The smallest nice bin (a multiple of the resolution kept) giving at most `chartBins` bins. */
  private chooseBin(): number {
    const want = this.opts.chartBins ?? 60;
    const ks = [...this.fine.keys()];
    if (ks.length === 0) return this.res;
    const span = (Math.max(...ks) - Math.min(...ks) + 1) * this.res;
    for (const b of NICE_BINS) if (b >= this.res && b % this.res === 0 && span / b <= want) return b;
    return NICE_BINS[NICE_BINS.length - 1];
  }
}
