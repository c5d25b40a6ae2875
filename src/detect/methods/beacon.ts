// BEACON/PERIODIC: a host connecting to one peer at regular intervals with regular sizes, scored
// in the manner RITA (Active Countermeasures) publishes for its beacon analysis:
//   timing score = mean of
//     - 1 - |Bowley skewness| of the inter-arrival times (quartiles: (Q1 + Q3 - 2 Q2) / (Q3 - Q1);
//       0 when the quartiles coincide, as for a perfect beacon),
//     - 1 - MADM / scale, the median absolute deviation about the median of the intervals
//       (RITA's scale is 30 s; a beacon faster than that is held to its own median interval),
//     - coverage: the share of the observed period between the pair's first and last connection;
//   size score = mean of
//     - 1 - |Bowley skewness| of the bytes per connection,
//     - 1 - MADM / 32 bytes,
//     - smallness: 1 - mode / 65535 bytes;
//   score = (timing + size) / 2, reported with its parts in the evidence.
// The failed-connection pitfall: a client retrying a dead service is perfectly periodic too, so
// only answered connections count (TCP: the responder sent a SYN-ACK or data; others: it sent
// packets back). Connections closer than min_interval_s are one burst (a page's parallel
// fetches), not beats. Periodic infrastructure (NTP every 64 s, DNS, DHCP renewals, NetBIOS,
// SSDP, mDNS) is not a beacon: its destination ports are in `ignore_ports` and networks can be
// added in `ignore_nets`. As in RITA, the peers judged are outside the local networks
// (--local-nets, else private and link-local space); `local_peers` judges the LAN's own too. The observed period is the span of the whole input, so pairs are
// judged at the end of input, or when one has been idle for idle_s.
import { METHOD_DEFAULTS } from '../config.js';
import type { DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import type { Flow } from '../../record.js';
import { CidrSet } from '../../net.js';
import { fmtBytes, fmtDuration, isLocal } from '../util.js';

interface Pair {
  src: string;
  dst: string;
  /** connection times and sizes; most pairs never get a second connection, so the arrays are made at the second */
  t0: number;
  size0: number;
  port0: number | undefined;
  id0: unknown;
  times: number[] | undefined;
  sizes: number[] | undefined;
  ports: Set<number> | undefined;
  proto: string;
  ids: string[] | undefined;
  last: number;
}

/** Quantile of sorted values (linear interpolation). */
function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

function bowleySorted(s: Float64Array): number {
  const q1 = quantile(s, 0.25);
  const q2 = quantile(s, 0.5);
  const q3 = quantile(s, 0.75);
  const den = q3 - q1;
  if (den === 0 || q2 === q1 || q2 === q3) return 0;
  return (q1 + q3 - 2 * q2) / den;
}

function madmSorted(s: Float64Array): { median: number; madm: number } {
  const med = quantile(s, 0.5);
  const dev = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) dev[i] = Math.abs(s[i]! - med);
  dev.sort();
  return { median: med, madm: quantile(dev, 0.5) };
}

/** Bowley (quartile) skewness in [-1, 1]; 0 when the quartiles coincide. */
export function bowleySkew(values: ArrayLike<number>): number {
  return bowleySorted(sortedCopy(values));
}

/** Median absolute deviation about the median, and the median. */
export function madm(values: ArrayLike<number>): { median: number; madm: number } {
  return madmSorted(sortedCopy(values));
}

function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = values[0] ?? 0;
  let bestN = 0;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > bestN || (n === bestN && v < best)) {
      best = v;
      bestN = n;
    }
  }
  return best;
}

/** slots of the first-connection table (2^18; a collision forgets one first connection) */
const SEEN_MASK = (1 << 18) - 1;

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export interface BeaconScore {
  score: number;
  timing: number;
  size: number;
  ts_skew: number;
  ts_madm_s: number;
  median_interval_s: number;
  coverage: number;
  ds_skew: number;
  ds_madm_bytes: number;
  mode_bytes: number;
  connections: number;
}

/** RITA-style beacon score of connection times (ms, sorted) and sizes within an observed period (ms). */
export function beaconScore(times: readonly number[], sizes: readonly number[], periodMs: number, settings: Record<string, any>): BeaconScore {
  const intervals = new Float64Array(Math.max(0, times.length - 1));
  for (let i = 1; i < times.length; i++) intervals[i - 1] = (times[i]! - times[i - 1]!) / 1000;
  intervals.sort();
  const tsSkew = bowleySorted(intervals);
  const tm = madmSorted(intervals);
  const scale = Math.max(1e-3, Math.min(settings.ts_madm_scale_s, tm.median));
  const tsMadmScore = clamp01(1 - tm.madm / scale);
  const coverage = periodMs > 0 ? clamp01((times[times.length - 1]! - times[0]!) / periodMs) : 1;
  const timing = (1 - Math.abs(tsSkew) + tsMadmScore + coverage) / 3;
  const ss = sortedCopy(sizes);
  const dsSkew = bowleySorted(ss);
  const dm = madmSorted(ss);
  const md = mode(sizes);
  const size = (1 - Math.abs(dsSkew) + clamp01(1 - dm.madm / settings.ds_madm_scale_bytes) + clamp01(1 - md / settings.ds_smallness_bytes)) / 3;
  return {
    score: r3((timing + size) / 2),
    timing: r3(timing),
    size: r3(size),
    ts_skew: r3(tsSkew),
    ts_madm_s: r3(tm.madm),
    median_interval_s: r3(tm.median),
    coverage: r3(coverage),
    ds_skew: r3(dsSkew),
    ds_madm_bytes: r3(dm.madm),
    mode_bytes: md,
    connections: times.length,
  };
}

/** Connections in time order, bursts (closer than minGapMs to the previous beat) folded into one. */
export function beats(times: readonly number[], sizes: readonly number[], minGapMs: number): { times: number[]; sizes: number[] } {
  let ordered = true;
  for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) ordered = false;
  let idx: Float64Array | undefined;
  if (!ordered) {
    // a numeric sort of (time - first) * 2^13 + index: exact below 2^53 (12 days of ms), else a comparator sort
    let min = Infinity;
    let max = -Infinity;
    for (const t of times) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
    const n = times.length;
    if ((max - min + 1) * 8192 < 2 ** 53 && n <= 8192) {
      idx = new Float64Array(n);
      for (let i = 0; i < n; i++) idx[i] = (times[i]! - min) * 8192 + i;
      idx.sort();
      for (let i = 0; i < n; i++) idx[i] = idx[i]! % 8192;
    } else idx = Float64Array.from(Array.from(times, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b));
  }
  const ot: number[] = [];
  const os: number[] = [];
  for (let k = 0; k < times.length; k++) {
    const i = idx ? idx[k]! : k;
    const t = times[i]!;
    if (ot.length && t - ot[ot.length - 1]! < minGapMs) continue;
    ot.push(t);
    os.push(sizes[i]!);
  }
  return { times: ot, sizes: os };
}

/** Whether the responder answered: the failed-connection pitfall. */
function answered(f: Flow): boolean {
  if (f.proto === 'tcp') {
    const rf = f.rflags;
    if (rf === undefined) return (f.rbytes ?? 0) > 0 && (f.rpkts ?? 0) > 1;
    return (rf.indexOf('S') >= 0 && rf.indexOf('A') >= 0) || rf.indexOf('P') >= 0;
  }
  return (f.rpkts ?? 0) > 0;
}

export const beacon: DetectionMethod = {
  name: 'BEACON',
  submethods: ['PERIODIC'],
  title: { PERIODIC: 'periodic beacon' },
  attack: { PERIODIC: { tactic: 'command-and-control', technique: 'T1071' } },
  priority: { PERIODIC: 'medium' },
  windowMs: METHOD_DEFAULTS.BEACON.event_window_s * 1000,
  defaults: METHOD_DEFAULTS.BEACON,
  create(ctx: MethodContext): MethodInstance {
    const s = ctx.settings;
    const idleMs = s.idle_s * 1000;
    const minGap = s.min_interval_s * 1000;
    const maxConn = Math.max(4, Math.floor(s.max_connections_per_pair));
    const ignorePorts = new Set<number>(s.ignore_ports as number[]);
    // the same ports as a table for the integer ports flows carry (a Set lookup per flow costs more)
    const ignoreTable = new Uint8Array(65536);
    for (const p of ignorePorts) if (Number.isInteger(p) && p >= 0 && p < 65536) ignoreTable[p] = 1;
    const ignoreNets = new CidrSet((s.ignore_nets as string[]) ?? []);
    /** src → dst → pair (nested: no key string per flow) */
    const pairs = new Map<string, Map<string, Pair>>();
    let pairCount = 0;
    /** first connections of pairs not seen again yet: hash of "src dst" → time and size */
    const seenHash = new Int32Array(SEEN_MASK + 1);
    const seenTime = new Float64Array(SEEN_MASK + 1);
    const seenSize = new Float64Array(SEEN_MASK + 1);
    let firstSeen = Infinity;
    let lastSeen = -Infinity;
    let nextSweep = -Infinity;

    function judge(p: Pair): void {
      if (!p.times || p.times.length < s.min_connections) return;
      const b = beats(p.times, p.sizes!, minGap);
      if (b.times.length < s.min_connections) return;
      const sc = beaconScore(b.times, b.sizes, lastSeen - firstSeen, s);
      if (sc.score < s.min_score) return;
      const first = b.times[0]!;
      const last = b.times[b.times.length - 1]!;
      const ports = [...(p.ports ?? [])].sort((a, b) => a - b);
      ctx.emit({
        method: 'BEACON',
        submethod: 'PERIODIC',
        src: p.src,
        targets: [p.dst],
        start: first,
        end: p.last,
        ...(ports.length ? { ports: ports.slice(0, 20) } : {}),
        proto: p.proto,
        detail: `${p.src} connected to ${p.dst}${ports.length === 1 ? `:${ports[0]}` : ''} ${sc.connections} times in ${fmtDuration(last - first)}, every ${sc.median_interval_s} s (MADM ${sc.ts_madm_s} s), mostly ${fmtBytes(sc.mode_bytes)} each: beacon score ${sc.score} (timing ${sc.timing}, size ${sc.size})`,
        evidence: { ...sc, observed_s: Math.round((lastSeen - firstSeen) / 1000) },
        flows: p.ids ?? [],
      });
    }

    return {
      flow(f: Flow, t: number, tEnd: number) {
        if (t < firstSeen) firstSeen = t;
        if (tEnd > lastSeen) lastSeen = tEnd;
        const proto = f.proto;
        if (proto !== 'tcp' && proto !== 'udp') return;
        const dp = f.dport;
        if (dp !== undefined && (dp < 65536 && (dp | 0) === dp ? ignoreTable[dp] === 1 : ignorePorts.has(dp))) return;
        if (!answered(f)) return;
        const src = f.src;
        const dst = f.dst;
        if (src === undefined || dst === undefined) return;
        let bySrc = pairs.get(src);
        let p = bySrc?.get(dst);
        if (!p) {
          // most pairs connect once: the first connection is kept in a table of hashes, no object
          let h = 0x811c9dc5;
          for (let i = 0; i < src.length; i++) h = Math.imul(h ^ src.charCodeAt(i), 16777619);
          h = Math.imul(h ^ 32, 16777619);
          for (let i = 0; i < dst.length; i++) h = Math.imul(h ^ dst.charCodeAt(i), 16777619);
          h |= 1;
          const slot = h & SEEN_MASK;
          if (seenHash[slot] !== h) {
            seenHash[slot] = h;
            seenTime[slot] = t;
            seenSize[slot] = f.bytes;
            return;
          }
          seenHash[slot] = 0;
          if (pairCount >= s.max_pairs) return;
          if (ignoreNets.size > 0 && ignoreNets.has(dst)) return;
          if (!s.local_peers && isLocal(dst, ctx.localNets)) return;
          if (!bySrc) pairs.set(src, (bySrc = new Map()));
          bySrc.set(dst, (p = { src, dst, t0: seenTime[slot]!, size0: seenSize[slot]!, port0: dp, id0: f.id, times: undefined, sizes: undefined, ports: undefined, proto, ids: undefined, last: tEnd }));
          pairCount++;
        }
        if (tEnd > p.last) p.last = tEnd;
        let times = p.times;
        let sizes = p.sizes;
        if (!times || !sizes) {
          times = p.times = [p.t0];
          sizes = p.sizes = [p.size0];
          p.ports = new Set(p.port0 === undefined ? [] : [p.port0]);
          p.ids = typeof p.id0 === 'string' ? [p.id0] : [];
        }
        // bursts and disorder are sorted out when the pair is judged (beats())
        if (times.length >= maxConn) return;
        times.push(t);
        sizes.push(f.bytes);
        if (dp !== undefined && dp !== p.port0 && (p.ports ??= new Set()).size < 20) p.ports.add(dp);
        if (typeof f.id === 'string' && (p.ids ??= []).length < 20) p.ids.push(f.id);
      },
      advance(now) {
        if (now < nextSweep) return;
        nextSweep = now + 60_000;
        for (const [src, bySrc] of pairs) {
          for (const [dst, p] of bySrc) {
            if (now > p.last + idleMs) {
              bySrc.delete(dst);
              pairCount--;
              judge(p);
            }
          }
          if (bySrc.size === 0) pairs.delete(src);
        }
      },
      finish() {
        for (const bySrc of pairs.values()) for (const p of bySrc.values()) judge(p);
        pairs.clear();
        pairCount = 0;
      },
    };
  },
};

export default beacon;
