// HIGHTRANSF/UPLOAD and DOWNLOAD: transfers far above what the host or the pair usually does.
// A transfer is one connection (one flow; a connection that a NetFlow exporter cut into parts
// makes one event, as the engine merges the parts). The host is the flow's originator and the
// event's src: UPLOAD when it sent the bytes, DOWNLOAD when it received them (an attacker who
// pulls a file with scp downloads it; a compromised host that pushes it out uploads). A
// transfer of at least min_bytes is held for idle_s of flow time (or to the end of input), then
// it is an event when it is
//   - percentile_factor times the capture's percentile of the other transfers of at least
//     percentile_min_bytes in that direction (a log-scale histogram, so memory does not grow
//     with the input), once percentile_min_transfers of them were seen, and
//   - host_factor times the largest other transfer of the host in that direction, and of the
//     (host, peer, port) pair, once the host has host_min_history of them: a host that
//     downloads videos all day is not reported for the next one;
// or when it is at least always_bytes. Many ordinary transfers that add up (a browsing
// session) are not one big transfer.
import { METHOD_DEFAULTS } from '../config.js';
import type { DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import type { Flow } from '../../record.js';
import { escapeControl } from '../../term.js';
import { fmtBytes, fmtDuration } from '../util.js';

/** log-scale histogram: 8 buckets per doubling from 1 byte to 2^64 */
const PER_OCTAVE = 8;
const BUCKETS = 64 * PER_OCTAVE;

export class LogHistogram {
  readonly counts = new Float64Array(BUCKETS);
  total = 0;
  static bucket(v: number): number {
    if (v < 1) return 0;
    return Math.min(BUCKETS - 1, Math.floor(Math.log2(v) * PER_OCTAVE));
  }
  add(v: number, n = 1): void {
    this.counts[LogHistogram.bucket(v)]! += n;
    this.total += n;
  }
  /** the p-th percentile (upper edge of its bucket), leaving out one value `except` */
  percentile(p: number, except?: number): number {
    const skip = except === undefined ? -1 : LogHistogram.bucket(except);
    const n = this.total - (skip >= 0 ? 1 : 0);
    if (n <= 0) return 0;
    const rank = Math.ceil((p / 100) * n);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]! - (i === skip ? 1 : 0);
      if (seen >= rank) return i === 0 ? 1 : Math.pow(2, (i + 1) / PER_OCTAVE);
    }
    return Math.pow(2, BUCKETS / PER_OCTAVE);
  }
}

interface Pending {
  host: string;
  peer: string;
  port: number | undefined;
  proto: string;
  app: string | undefined;
  first: number;
  last: number;
  up: number;
  down: number;
  id: unknown;
}

/** the two largest transfers and how many, per direction: [max1, max2, n] up, then down */
type Top = [number, number, number, number, number, number];

function addTop(t: Top, dir: 0 | 1, v: number): void {
  const o = dir * 3;
  t[o + 2]!++;
  if (v > t[o]!) {
    t[o + 1] = t[o]!;
    t[o] = v;
  } else if (v > t[o + 1]!) t[o + 1] = v;
}

/** the largest transfer other than `v` (v is one of those counted) */
function otherMax(t: Top, dir: 0 | 1, v: number): number {
  const o = dir * 3;
  return t[o] === v ? t[o + 1]! : t[o]!;
}

export const hightransf: DetectionMethod = {
  name: 'HIGHTRANSF',
  submethods: ['UPLOAD', 'DOWNLOAD'],
  title: { UPLOAD: 'high upload', DOWNLOAD: 'high download' },
  attack: {
    UPLOAD: { tactic: 'exfiltration', technique: 'T1048' },
    DOWNLOAD: { tactic: 'collection', technique: 'T1039' },
  },
  priority: { UPLOAD: 'high', DOWNLOAD: 'medium' },
  windowMs: METHOD_DEFAULTS.HIGHTRANSF.idle_s * 1000,
  defaults: METHOD_DEFAULTS.HIGHTRANSF,
  create(ctx: MethodContext): MethodInstance {
    const s = ctx.settings;
    const holdMs = s.idle_s * 1000;
    const minCount = s.percentile_min_bytes;
    const minBytes = s.min_bytes;
    const minUsual = minBytes / Math.max(1, s.host_factor);
    const hist: [LogHistogram, LogHistogram] = [new LogHistogram(), new LogHistogram()];
    const hosts = new Map<string, Top>();
    const pairs = new Map<string, Top>();
    const pending: Pending[] = [];
    let nextSweep = -Infinity;

    /** a transfer into the host's or pair's history: the directions that reach minUsual (at least one does), one lookup */
    function count2(map: Map<string, Top>, key: string, up: number, down: number): void {
      let t = map.get(key);
      if (!t) {
        if (map.size >= (map === hosts ? s.max_hosts : s.max_pairs)) return;
        map.set(key, (t = [0, 0, 0, 0, 0, 0]));
      }
      if (up >= minUsual) addTop(t, 0, up);
      if (down >= minUsual) addTop(t, 1, down);
    }

    function judge(p: Pending): void {
      const h = hosts.get(p.host);
      const pk = p.host + ' ' + p.peer + ' ' + (p.port ?? '');
      const pm = pairs.get(pk);
      for (const dir of [0, 1] as const) {
        const bytes = dir === 0 ? p.up : p.down;
        if (bytes < minBytes) continue;
        const always = bytes >= s.always_bytes;
        const evidence: Record<string, unknown> = { bytes, bytes_back: dir === 0 ? p.down : p.up, duration_s: Math.round((p.last - p.first) / 100) / 10 };
        const why: string[] = [];
        let quiet = false;
        const hx = hist[dir];
        if (hx.total - 1 >= s.percentile_min_transfers) {
          const pct = hx.percentile(s.percentile, bytes);
          evidence[`p${s.percentile}_bytes`] = Math.round(pct);
          evidence.transfers_seen = hx.total - 1;
          if (bytes < pct * s.percentile_factor) quiet = true;
          else why.push(`${Math.round(bytes / Math.max(1, pct))}x the ${s.percentile}th percentile of the capture's transfers (${fmtBytes(Math.round(pct))})`);
        }
        let usual = 0;
        let whose = '';
        if (h && h[dir * 3 + 2]! - 1 >= s.host_min_history) {
          usual = otherMax(h, dir, bytes);
          whose = p.host;
        }
        if (pm && pm[dir * 3 + 2]! > 1 && otherMax(pm, dir, bytes) > usual) {
          usual = otherMax(pm, dir, bytes);
          whose = `${p.host} with ${p.peer}`;
        }
        if (usual > 0) {
          evidence.usual_max_bytes = usual;
          if (bytes < usual * s.host_factor) quiet = true;
          else why.push(`${Math.round(bytes / usual)}x the largest other transfer of ${whose} (${fmtBytes(usual)})`);
        }
        if (quiet && !always) continue;
        if (!why.length) why.push(always ? `at least ${fmtBytes(s.always_bytes)}` : `at least ${fmtBytes(minBytes)}, with too few transfers to compare (${hx.total - 1})`);
        const svc = p.port === undefined ? p.proto : `${p.proto}/${p.port}${p.app ? ` (${escapeControl(p.app)})` : ''}`;
        ctx.emit({
          method: 'HIGHTRANSF',
          submethod: dir === 0 ? 'UPLOAD' : 'DOWNLOAD',
          src: p.host,
          targets: [p.peer],
          start: p.first,
          end: p.last,
          ...(p.port !== undefined ? { ports: [p.port] } : {}),
          proto: p.proto,
          detail: `${p.host} ${dir === 0 ? 'sent' : 'received'} ${fmtBytes(bytes)} ${dir === 0 ? 'to' : 'from'} ${p.peer} over ${svc} in ${fmtDuration(p.last - p.first)}: ${why.join('; ')}`,
          evidence: { ...evidence, service: svc },
          flows: typeof p.id === 'string' ? [p.id] : [],
        });
      }
    }

    function sweep(now: number): void {
      let n = 0;
      while (n < pending.length && now > pending[n]!.last + holdMs) n++;
      if (n === 0) return;
      for (const p of pending.splice(0, n)) judge(p);
    }

    return {
      flow(f: Flow, t: number, tEnd: number) {
        const up = f.bytes;
        const down = f.rbytes ?? 0;
        if (up < minCount && down < minCount) return;
        const host = f.src;
        const peer = f.dst;
        if (host === undefined || peer === undefined || f.proto === 'arp') return;
        if (up >= minCount) hist[0].add(up);
        if (down >= minCount) hist[1].add(down);
        // a host's or pair's transfers below min_bytes / host_factor cannot quiet a transfer of min_bytes: not kept
        if (up < minUsual && down < minUsual) return;
        count2(hosts, host, up, down);
        // the pair's history is kept for transfers that could matter to a decision
        count2(pairs, host + ' ' + peer + ' ' + (f.dport ?? ''), up, down);
        if (up < minBytes && down < minBytes) return;
        if (pending.length >= s.max_pending) judge(pending.shift()!);
        const p: Pending = { host, peer, port: f.dport, proto: f.proto, app: typeof f.app === 'string' ? f.app : undefined, first: t, last: tEnd, up, down, id: f.id };
        // pending stays in order of end time
        let i = pending.length;
        while (i > 0 && pending[i - 1]!.last > tEnd) i--;
        pending.splice(i, 0, p);
      },
      advance(now) {
        if (now < nextSweep) return;
        nextSweep = now + 5000;
        sweep(now);
      },
      finish() {
        sweep(Infinity);
      },
    };
  },
};

export default hightransf;
