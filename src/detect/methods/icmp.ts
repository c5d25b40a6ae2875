// ICMPANOM: ping sweeps and ping floods. A sweep is echo requests from one source to many
// addresses. On a LAN the sender's kernel must resolve each address first, so dead addresses
// never see an echo request: the sweep shows as echo requests to the live hosts plus ARP
// requests for the rest, and both are counted (the detail says which was seen).
// A flood is many echo requests to one target at a high rate.
import { METHOD_DEFAULTS } from '../config.js';
import type { DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import { sortIps } from '../../net.js';
import { addId, fmtDuration, isUnicast, plural } from '../util.js';

interface Target {
  pkts: number;
  first: number;
  last: number;
  flows: string[];
}

interface SourceState {
  first: number;
  last: number;
  targets: Map<string, Target>;
  pkts: number;
  flows: string[];
}

export const icmp: DetectionMethod = {
  name: 'ICMPANOM',
  submethods: ['ICMPSCAN', 'PINGFLOOD'],
  title: { ICMPSCAN: 'Ping sweep', PINGFLOOD: 'Ping flood' },
  attack: {
    ICMPSCAN: { tactic: 'discovery', technique: 'T1018' },
    PINGFLOOD: { tactic: 'impact', technique: 'T1498.001' },
  },
  priority: { ICMPSCAN: 'medium', PINGFLOOD: 'high' },
  windowMs: METHOD_DEFAULTS.ICMPANOM.window_s * 1000,
  defaults: METHOD_DEFAULTS.ICMPANOM,
  create(ctx: MethodContext): MethodInstance {
    const s = ctx.settings;
    const windowMs = s.window_s * 1000;
    const marginMs = s.lan_sweep_arp_margin_s * 1000;
    const maxTargets = s.max_targets_per_source;
    const sources = new Map<string, SourceState>();
    /** per source: address asked for by ARP → time of the last request (kept for one window) */
    const arpAsked = new Map<string, Map<string, number>>();
    let nextSweep = -Infinity;

    function judge(src: string, st: SourceState): void {
      const echoTargets = sortIps(st.targets.keys());
      const n = echoTargets.length;
      const arpOnly: string[] = [];
      const asked = arpAsked.get(src);
      if (asked) {
        for (const [ip, when] of asked) {
          if (when >= st.first - marginMs && when <= st.last + marginMs && !st.targets.has(ip)) arpOnly.push(ip);
        }
      }
      const dur = fmtDuration(st.last - st.first);
      if (n >= s.sweep_min_targets || (n >= s.lan_sweep_min_echo_targets && arpOnly.length >= s.lan_sweep_min_arp_targets)) {
        const lan = arpOnly.length >= s.lan_sweep_min_arp_targets;
        const all = lan ? sortIps([...echoTargets, ...arpOnly]) : echoTargets;
        ctx.emit({
          method: 'ICMPANOM',
          submethod: 'ICMPSCAN',
          src,
          targets: all,
          start: st.first,
          end: st.last,
          proto: src.indexOf(':') >= 0 ? 'icmp6' : 'icmp',
          detail: lan
            ? `${src} sent ${plural(st.pkts, 'ICMP echo request')} to ${plural(n, 'live host')} and ARP requests for ${arpOnly.length} more addresses in ${fmtDuration(st.last - st.first)}: a ping sweep of the LAN (dead addresses show only as ARP, the echo is never sent)`
            : `${src} sent ${plural(st.pkts, 'ICMP echo request')} to ${plural(n, 'address', 'addresses')} in ${dur}: a ping sweep`,
          evidence: { echo_requests: st.pkts, echo_targets: n, arp_only_targets: arpOnly.length, duration_s: Math.round((st.last - st.first) / 100) / 10 },
          flows: st.flows,
        });
      }
      for (const [dst, tg] of st.targets) {
        const secs = Math.max((tg.last - tg.first) / 1000, 1);
        const pps = tg.pkts / secs;
        if (tg.pkts < s.flood_min_pkts || pps < s.flood_min_pps) continue;
        ctx.emit({
          method: 'ICMPANOM',
          submethod: 'PINGFLOOD',
          src,
          targets: [dst],
          start: tg.first,
          end: tg.last,
          proto: src.indexOf(':') >= 0 ? 'icmp6' : 'icmp',
          detail: `${src} sent ${tg.pkts} ICMP echo requests to ${dst} in ${fmtDuration(tg.last - tg.first)} (${Math.round(pps)} per second): a ping flood`,
          evidence: { echo_requests: tg.pkts, pps: Math.round(pps), duration_s: Math.round((tg.last - tg.first) / 100) / 10 },
          flows: tg.flows,
        });
      }
    }

    function sweep(now: number): void {
      for (const [src, st] of sources) {
        if (now > st.last + windowMs) {
          sources.delete(src);
          judge(src, st);
        }
      }
      // ARP requests are only needed around echo requests still open
      for (const [src, asked] of arpAsked) {
        const st = sources.get(src);
        const keepFrom = (st ? Math.min(st.first, now) : now) - windowMs - marginMs;
        for (const [ip, when] of asked) if (when < keepFrom) asked.delete(ip);
        if (asked.size === 0) arpAsked.delete(src);
      }
    }

    return {
      flow(f, t, tEnd) {
        const proto = f.proto;
        if (proto === 'arp') {
          const a = f.arp;
          if (!a || a.op !== 'request') return;
          const spa = typeof a.spa === 'string' ? a.spa : f.src;
          const tpa = typeof a.tpa === 'string' ? a.tpa : f.dst;
          if (!spa || !tpa || spa === tpa) return;
          let m = arpAsked.get(spa);
          if (!m) arpAsked.set(spa, (m = new Map()));
          if (m.size < maxTargets || m.has(tpa)) m.set(tpa, tEnd);
          return;
        }
        if (proto === 'icmp') {
          if (f.icmp_type !== 8) return;
        } else if (proto === 'icmp6') {
          if (f.icmp_type !== 128) return;
        } else return;
        const src = f.src;
        const dst = f.dst;
        if (src === undefined || !isUnicast(dst)) return;
        let st = sources.get(src);
        if (st && t > st.last + windowMs) {
          sources.delete(src);
          judge(src, st);
          st = undefined;
        }
        if (!st) sources.set(src, (st = { first: t, last: tEnd, targets: new Map(), pkts: 0, flows: [] }));
        if (t < st.first) st.first = t;
        if (tEnd > st.last) st.last = tEnd;
        const pk = f.pkts > 0 ? f.pkts : 1;
        st.pkts += pk;
        addId(st.flows, f.id);
        let tg = st.targets.get(dst);
        if (!tg) {
          if (st.targets.size >= maxTargets) return;
          st.targets.set(dst, (tg = { pkts: 0, first: t, last: tEnd, flows: [] }));
        }
        tg.pkts += pk;
        if (t < tg.first) tg.first = t;
        if (tEnd > tg.last) tg.last = tEnd;
        addId(tg.flows, f.id);
      },
      advance(now) {
        if (now < nextSweep) return;
        nextSweep = now + 5000;
        sweep(now);
      },
      finish() {
        for (const [src, st] of sources) judge(src, st);
        sources.clear();
        arpAsked.clear();
      },
    };
  },
};

export default icmp;
