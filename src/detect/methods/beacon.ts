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
  times: number[];
  sizes: number[];
  ports: Set<number>;
  proto: string;
  ids: string[];
  last: number;
}

/** Quartiles of sorted values (linear interpolation). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Bowley (quartile) skewness in [-1, 1]; 0 when the quartiles coincide. */
export function bowleySkew(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const q2 = quantile(s, 0.5);
  const q3 = quantile(s, 0.75);
  const den = q3 - q1;
  if (den === 0 || q2 === q1 || q2 === q3) return 0;
  return (q1 + q3 - 2 * q2) / den;
}

/** Median absolute deviation about the median, and the median. */
export function madm(values: readonly number[]): { median: number; madm: number } {
  const s = [...values].sort((a, b) => a - b);
  const med = quantile(s, 0.5);
  const dev = s.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  return { median: med, madm: quantile(dev, 0.5) };
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
  const intervals: number[] = [];
  for (let i = 1; i < times.length; i++) intervals.push((times[i]! - times[i - 1]!) / 1000);
  const tsSkew = bowleySkew(intervals);
  const tm = madm(intervals);
  const scale = Math.max(1e-3, Math.min(settings.ts_madm_scale_s, tm.median));
  const tsMadmScore = clamp01(1 - tm.madm / scale);
  const coverage = periodMs > 0 ? clamp01((times[times.length - 1]! - times[0]!) / periodMs) : 1;
  const timing = ((1 - Math.abs(tsSkew)) + tsMadmScore + coverage) / 3;
  const dsSkew = bowleySkew(sizes);
  const dm = madm(sizes);
  const md = mode(sizes);
  const size = ((1 - Math.abs(dsSkew)) + clamp01(1 - dm.madm / settings.ds_madm_scale_bytes) + clamp01(1 - md / settings.ds_smallness_bytes)) / 3;
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
    const ignoreNets = new CidrSet((s.ignore_nets as string[]) ?? []);
    const pairs = new Map<string, Pair>();
    let firstSeen = Infinity;
    let lastSeen = -Infinity;
    let nextSweep = -Infinity;

    function judge(p: Pair): void {
      if (p.times.length < s.min_connections) return;
      const sc = beaconScore(p.times, p.sizes, lastSeen - firstSeen, s);
      if (sc.score < s.min_score) return;
      const first = p.times[0]!;
      const last = p.times[p.times.length - 1]!;
      const ports = [...p.ports].sort((a, b) => a - b);
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
        flows: p.ids,
      });
    }

    return {
      flow(f: Flow, t: number, tEnd: number) {
        if (t < firstSeen) firstSeen = t;
        if (tEnd > lastSeen) lastSeen = tEnd;
        const proto = f.proto;
        if (proto !== 'tcp' && proto !== 'udp') return;
        const dp = f.dport;
        if (dp !== undefined && ignorePorts.has(dp)) return;
        if (!answered(f)) return;
        const src = f.src;
        const dst = f.dst;
        if (src === undefined || dst === undefined) return;
        const key = src + ' ' + dst;
        let p = pairs.get(key);
        if (!p) {
          if (pairs.size >= s.max_pairs) return;
          if (ignoreNets.size > 0 && ignoreNets.has(dst)) return;
          if (!s.local_peers && isLocal(dst, ctx.localNets)) return;
          pairs.set(key, (p = { src, dst, times: [], sizes: [], ports: new Set(), proto, ids: [], last: tEnd }));
        }
        if (tEnd > p.last) p.last = tEnd;
        const n = p.times.length;
        // a burst of parallel connections is one beat
        if (n > 0 && Math.abs(t - p.times[n - 1]!) < minGap) return;
        if (n >= maxConn) return;
        if (n > 0 && t < p.times[n - 1]!) {
          // moderate disorder: keep the times sorted
          let i = n - 1;
          while (i > 0 && p.times[i - 1]! > t) i--;
          p.times.splice(i, 0, t);
          p.sizes.splice(i, 0, f.bytes);
        } else {
          p.times.push(t);
          p.sizes.push(f.bytes);
        }
        if (dp !== undefined && p.ports.size < 20) p.ports.add(dp);
        if (p.ids.length < 20 && typeof f.id === 'string') p.ids.push(f.id);
      },
      advance(now) {
        if (now < nextSweep) return;
        nextSweep = now + 60_000;
        for (const [key, p] of pairs) {
          if (now > p.last + idleMs) {
            pairs.delete(key);
            judge(p);
          }
        }
      },
      finish() {
        for (const p of pairs.values()) judge(p);
        pairs.clear();
      },
    };
  },
};

export default beacon;
