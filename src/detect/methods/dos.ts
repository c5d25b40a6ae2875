// DOS/SYNFLOOD and DOS/VOLUMETRIC: a target receiving far more connection attempts or packets
// than it answers, or than its usual rate. Each target's incoming traffic is counted in fixed
// windows (window_s from the first flow to it): SYNFLOOD counts half-open attempts (the
// originator sent a SYN and never the ACK that completes the handshake, whatever the target
// answered: a SYN-ACK that the flooder's kernel resets is still a flood), VOLUMETRIC counts
// packets and compares them with the packets the target sent back. A target is counted from its
// first half-open or hardly answered flow of a window, so ordinary traffic costs one lookup. A busy server completes
// most handshakes with its clients and answers their packets, so it never counts. The sources
// are named when few; with many (spoofed) sources the top one is the event's src and the
// evidence counts them.
import { METHOD_DEFAULTS } from '../config.js';
import type { DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import type { Flow } from '../../record.js';
import { addId, fmtList, isUnicast, plural } from '../util.js';

interface Win {
  first: number;
  last: number;
  /** SYNs received (flows opened with a SYN) and the half-open ones among them */
  syns: number;
  halfOpen: number;
  /** packets and bytes in, packets back */
  pkts: number;
  bytes: number;
  rpkts: number;
  /** source → [half-open attempts, packets], for the flows that count (half-open or unanswered); made when needed */
  sources: Map<string, [number, number]> | undefined;
  /** destination ports of the half-open attempts */
  ports: Map<number, number> | undefined;
  flows: string[];
}

interface History {
  windows: number;
  halfOpen: number;
  pkts: number;
}

type Sub = 'SYNFLOOD' | 'VOLUMETRIC';

export const dos: DetectionMethod = {
  name: 'DOS',
  submethods: ['SYNFLOOD', 'VOLUMETRIC'],
  title: { SYNFLOOD: 'SYN flood', VOLUMETRIC: 'volumetric flood' },
  attack: {
    SYNFLOOD: { tactic: 'impact', technique: 'T1499.001' },
    VOLUMETRIC: { tactic: 'impact', technique: 'T1498.001' },
  },
  priority: { SYNFLOOD: 'high', VOLUMETRIC: 'high' },
  windowMs: METHOD_DEFAULTS.DOS.event_window_s * 1000,
  defaults: METHOD_DEFAULTS.DOS,
  create(ctx: MethodContext): MethodInstance {
    const s = ctx.settings;
    const winMs = Math.max(1, s.window_s) * 1000;
    const open = new Map<string, Win>();
    const history = new Map<string, History>();
    let nextSweep = -Infinity;

    function usual(h: History | undefined, which: 'halfOpen' | 'pkts'): number | undefined {
      if (!h || h.windows < s.min_history) return undefined;
      return h[which] / h.windows;
    }

    function sources(w: Win, idx: 0 | 1): { named: string[]; count: number; top: [string, number][] } {
      const all = [...(w.sources ?? [])].map(([ip, v]) => [ip, v[idx]] as [string, number]).filter((x) => x[1] > 0);
      all.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const total = all.reduce((n, x) => n + x[1], 0);
      const named = all.filter((x) => x[1] >= total * s.named_source_ratio).slice(0, s.max_named_sources).map((x) => x[0]);
      return { named: named.length ? named : all.slice(0, 1).map((x) => x[0]), count: all.length, top: all.slice(0, 10) };
    }

    function emit(sub: Sub, target: string, w: Win, figures: Record<string, unknown>, what: string, usualVal: number | undefined, idx: 0 | 1): void {
      const src = sources(w, idx);
      const many = src.count > s.max_named_sources || src.named.length < src.count;
      const durS = Math.max(0.001, (w.last - w.first) / 1000);
      const from = many ? `from ${plural(src.count, 'source')} (most from ${fmtList(src.top.slice(0, 3).map((x) => `${x[0]} (${x[1]})`))})` : `from ${fmtList(src.named, 5)}`;
      const ports = [...(w.ports ?? [])].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 10).map((x) => x[0]);
      const evidence = {
        ...figures,
        duration_s: Math.round(durS * 10) / 10,
        source_count: src.count,
        top_sources: Object.fromEntries(src.top),
        ...(usualVal !== undefined ? { usual_per_window: Math.round(usualVal * 10) / 10 } : {}),
      };
      const detail = `${target} received ${what} in ${durS < 10 ? durS.toFixed(1) : Math.round(durS)} s ${from}${usualVal !== undefined ? ` (usually ${Math.round(usualVal)} per ${s.window_s} s)` : ''}: a ${sub === 'SYNFLOOD' ? 'SYN flood' : 'volumetric flood'}`;
      for (const ip of src.named) {
        ctx.emit({
          method: 'DOS',
          submethod: sub,
          src: ip,
          targets: [target],
          start: w.first,
          end: w.last,
          ...(ports.length ? { ports } : {}),
          ...(sub === 'SYNFLOOD' ? { proto: 'tcp' } : {}),
          detail,
          evidence,
          flows: w.flows,
        });
      }
    }

    /** floods going on, per submethod and target: the windows so far added up, so the event tells the whole flood */
    const runs = new Map<string, Win>();
    const eventMs = s.event_window_s * 1000;

    function addUp(sub: Sub, target: string, w: Win): Win {
      const key = sub + ' ' + target;
      let r = runs.get(key);
      if (!r || w.first > r.last + eventMs) {
        r = { first: w.first, last: w.last, syns: 0, halfOpen: 0, pkts: 0, bytes: 0, rpkts: 0, sources: new Map(), ports: new Map(), flows: [] };
        runs.set(key, r);
      }
      if (w.first < r.first) r.first = w.first;
      if (w.last > r.last) r.last = w.last;
      r.syns += w.syns;
      r.halfOpen += w.halfOpen;
      r.pkts += w.pkts;
      r.bytes += w.bytes;
      r.rpkts += w.rpkts;
      for (const [ip, v] of w.sources ?? []) {
        const rv = r.sources!.get(ip);
        if (rv) {
          rv[0] += v[0];
          rv[1] += v[1];
        } else if (r.sources!.size < s.max_sources_per_target) r.sources!.set(ip, [v[0], v[1]]);
      }
      for (const [p, n] of w.ports ?? []) r.ports!.set(p, (r.ports!.get(p) ?? 0) + n);
      for (const id of w.flows) if (r.flows.length < 20) r.flows.push(id);
      return r;
    }

    function judge(target: string, wIn: Win): void {
      const h = history.get(target);
      let w = wIn;
      let durS = Math.max(1, (w.last - w.first) / 1000);
      let flooded = false;
      const uSyn = usual(h, 'halfOpen');
      if (
        w.halfOpen >= s.syn_min_attempts &&
        w.halfOpen / durS >= s.syn_min_rate &&
        w.halfOpen >= w.syns * s.syn_min_halfopen_ratio &&
        (w.ports?.size ?? 0) <= s.syn_max_ports &&
        (uSyn === undefined || w.halfOpen >= uSyn * s.usual_factor)
      ) {
        flooded = true;
        w = addUp('SYNFLOOD', target, wIn);
        durS = Math.max(1, (w.last - w.first) / 1000);
        emit(
          'SYNFLOOD',
          target,
          w,
          { half_open: w.halfOpen, syns: w.syns, completed: w.syns - w.halfOpen, attempts_per_s: Math.round(w.halfOpen / durS), pkts: w.pkts, answered_pkts: w.rpkts },
          `${w.halfOpen} half-open TCP connection attempts (${Math.round(w.halfOpen / durS)}/s; ${w.syns - w.halfOpen} of ${w.syns} SYNs completed the handshake, ${w.rpkts} packets sent back)`,
          uSyn,
          0,
        );
      }
      w = wIn;
      durS = Math.max(1, (w.last - w.first) / 1000);
      const uPkts = usual(h, 'pkts');
      if (
        w.pkts >= s.vol_min_pkts &&
        w.pkts / durS >= s.vol_min_pps &&
        w.pkts >= Math.max(1, w.rpkts) * s.vol_min_in_out_ratio &&
        (uPkts === undefined || w.pkts >= uPkts * s.usual_factor)
      ) {
        flooded = true;
        w = addUp('VOLUMETRIC', target, wIn);
        durS = Math.max(1, (w.last - w.first) / 1000);
        emit(
          'VOLUMETRIC',
          target,
          w,
          { pkts: w.pkts, bytes: w.bytes, answered_pkts: w.rpkts, pkts_per_s: Math.round(w.pkts / durS), in_out_ratio: Math.round((w.pkts / Math.max(1, w.rpkts)) * 10) / 10 },
          `${w.pkts} packets (${Math.round(w.pkts / durS)}/s, ${w.bytes} bytes) and sent ${w.rpkts} back`,
          uPkts,
          1,
        );
      }
      // a flood does not become the target's usual
      if (flooded) return;
      w = wIn;
      let hh = h;
      if (!hh) {
        // a window this small cannot make a usual that hides a flood: the target gets a history
        // once a window comes near (1 / usual_factor of) a flood's floor, and every window counts from then
        if (w.halfOpen * s.usual_factor < s.syn_min_attempts && w.pkts * s.usual_factor < s.vol_min_pkts) return;
        if (history.size >= s.max_targets) return;
        history.set(target, (hh = { windows: 0, halfOpen: 0, pkts: 0 }));
      }
      hh.windows++;
      hh.halfOpen += w.halfOpen;
      hh.pkts += w.pkts;
    }

    function sweep(now: number): void {
      for (const [target, w] of open) {
        if (now > w.first + winMs) {
          open.delete(target);
          judge(target, w);
        }
      }
      for (const [key, r] of runs) if (now > r.last + eventMs) runs.delete(key);
    }

    return {
      flow(f: Flow, t: number, tEnd: number) {
        const proto = f.proto;
        if (proto === 'arp') return;
        const target = f.dst;
        const src = f.src;
        if (src === undefined || !isUnicast(target)) return;
        let half = 0;
        let syn = false;
        if (proto === 'tcp') {
          const fl = f.flags;
          if (fl !== undefined && fl.indexOf('S') >= 0) {
            syn = true;
            if (fl.indexOf('A') < 0) half = 1;
          }
        }
        const rp = f.rpkts ?? 0;
        // what a flood is made of: half-open attempts, packets hardly answered
        const lopsided = half === 1 || f.pkts >= rp * s.vol_min_in_out_ratio;
        let w = open.get(target);
        if (w && t > w.first + winMs) {
          open.delete(target);
          judge(target, w);
          w = undefined;
        }
        if (!w) {
          // a target is counted from its first such flow in a window: ordinary traffic costs a lookup
          if (!lopsided || open.size >= s.max_targets) return;
          open.set(target, (w = { first: t, last: tEnd, syns: 0, halfOpen: 0, pkts: 0, bytes: 0, rpkts: 0, sources: undefined, ports: undefined, flows: [] }));
        }
        if (t < w.first) w.first = t;
        if (tEnd > w.last) w.last = tEnd;
        if (syn) w.syns++;
        w.halfOpen += half;
        w.pkts += f.pkts;
        w.bytes += f.bytes;
        w.rpkts += rp;
        if (!lopsided) return;
        if (half) {
          const dp = f.dport;
          const ports = (w.ports ??= new Map());
          if (dp !== undefined && ports.size < 1000) ports.set(dp, (ports.get(dp) ?? 0) + 1);
        }
        const sources = (w.sources ??= new Map());
        let sv = sources.get(src);
        if (!sv) {
          if (sources.size >= s.max_sources_per_target) return;
          sources.set(src, (sv = [0, 0]));
        }
        sv[0] += half;
        sv[1] += f.pkts;
        addId(w.flows, f.id);
      },
      advance(now) {
        if (now < nextSweep) return;
        nextSweep = now + 1000;
        sweep(now);
      },
      finish() {
        sweep(Infinity);
      },
    };
  },
};

export default dos;
