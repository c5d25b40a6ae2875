// SCANS: port and address scans. The signal is probes: TCP flows in which the originator never
// completed a handshake (SYN, FIN, NULL, XMAS probes, or a connect() closed at once without
// data) and UDP flows that got no answer, counted per source as distinct (target, port)
// pairs. Many targets on one port is horizontal, many ports on one target vertical, both
// mixed. A busy server is the responder of its clients' complete flows, so it never counts.
// ARP: requests for many addresses of the segment, most of them unanswered.
import { METHOD_DEFAULTS } from '../config.js';
import type { Candidate, DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import type { Flow } from '../../record.js';
import { sortIps } from '../../net.js';
import { addId, fmtDuration, fmtList, isUnicast, plural } from '../util.js';

type Sub = 'TCPSYN' | 'TCPFIN' | 'TCPNULL' | 'TCPXMAS' | 'UDP';
const SUBS: Sub[] = ['TCPSYN', 'TCPFIN', 'TCPNULL', 'TCPXMAS', 'UDP'];
const PROBE_NAME: Record<Sub, string> = {
  TCPSYN: 'TCP SYN probes',
  TCPFIN: 'TCP FIN probes',
  TCPNULL: 'TCP NULL probes (no flags)',
  TCPXMAS: 'TCP XMAS probes (FIN, PSH, URG)',
  UDP: 'unanswered UDP probes',
};

/** The probes of one kind from one source. */
interface Tally {
  first: number;
  last: number;
  /** "dst port" → probes seen (counted up to max_probes_per_pair) */
  pairs: Map<string, number>;
  portDsts: Map<number, number>;
  dstPorts: Map<string, number>;
  maxPortDsts: number;
  maxDstPorts: number;
  probes: number;
  unanswered: number;
  rejected: number;
  answered: number;
  /** probes whose answer the flow records cannot show */
  unknown: number;
  flows: string[];
}

interface SourceState {
  first: number;
  last: number;
  tallies: Partial<Record<Sub, Tally>>;
  pairCount: number;
}

interface ArpState {
  first: number;
  last: number;
  /** address asked for → answered */
  asked: Map<string, boolean>;
  /** address → time of the first request for it */
  firstAsked: Map<string, number>;
  requests: number;
  flows: string[];
}

function newTally(t: number): Tally {
  return { first: t, last: t, pairs: new Map(), portDsts: new Map(), dstPorts: new Map(), maxPortDsts: 0, maxDstPorts: 0, probes: 0, unanswered: 0, rejected: 0, answered: 0, unknown: 0, flows: [] };
}

/** The kind of probe a TCP flow is, or undefined when the originator completed a real connection. */
export function tcpProbeKind(f: Flow, connectMaxPkts: number): Sub | undefined {
  const fl = f.flags;
  if (fl === undefined) return undefined;
  const hasA = fl.indexOf('A') >= 0;
  const hasS = fl.indexOf('S') >= 0;
  if (hasA) {
    // connect() scan: handshake completed (SYN and ACK sent, an answer seen), then closed without
    // a byte of payload; a one-direction record of a SYN-ACK is an answer, not a probe
    if (!hasS || fl.indexOf('P') >= 0 || f.pkts > connectMaxPkts || f.pkts < 2 || !((f.rpkts ?? 0) > 0)) return undefined;
    const perPkt = f.src !== undefined && f.src.indexOf(':') >= 0 ? 80 : 60;
    if (f.bytes > f.pkts * perPkt) return undefined;
    if ((f.rbytes ?? 0) > (f.rpkts ?? 0) * perPkt) return undefined;
    return 'TCPSYN';
  }
  if (hasS) return 'TCPSYN';
  if (fl === '') return 'TCPNULL';
  if (fl.indexOf('F') >= 0 && fl.indexOf('P') >= 0 && fl.indexOf('U') >= 0) return 'TCPXMAS';
  if (fl === 'F') return 'TCPFIN';
  return undefined;
}

function count(tl: Tally, f: Flow): void {
  tl.probes++;
  const rf = f.rflags;
  // one-direction flow records (NetFlow without --biflow) cannot say whether the target answered
  if (rf === undefined && f.rpkts === undefined) tl.unknown++;
  else if (rf === undefined || rf === '') tl.unanswered++;
  else if (rf.indexOf('R') >= 0 && rf.indexOf('S') < 0) tl.rejected++;
  else tl.answered++;
  addId(tl.flows, f.id);
}

export const scans: DetectionMethod = {
  name: 'SCANS',
  submethods: [...SUBS, 'ARP'],
  title: {
    TCPSYN: 'TCP SYN port scan',
    TCPFIN: 'TCP FIN port scan',
    TCPNULL: 'TCP NULL port scan',
    TCPXMAS: 'TCP XMAS port scan',
    UDP: 'UDP port scan',
    ARP: 'ARP scan',
  },
  attack: {
    TCPSYN: { tactic: 'discovery', technique: 'T1046' },
    TCPFIN: { tactic: 'discovery', technique: 'T1046' },
    TCPNULL: { tactic: 'discovery', technique: 'T1046' },
    TCPXMAS: { tactic: 'discovery', technique: 'T1046' },
    UDP: { tactic: 'discovery', technique: 'T1046' },
    ARP: { tactic: 'discovery', technique: 'T1018' },
  },
  priority: { TCPSYN: 'medium', TCPFIN: 'medium', TCPNULL: 'medium', TCPXMAS: 'medium', UDP: 'medium', ARP: 'medium' },
  windowMs: METHOD_DEFAULTS.SCANS.window_s * 1000,
  defaults: METHOD_DEFAULTS.SCANS,
  create(ctx: MethodContext): MethodInstance {
    const s = ctx.settings;
    const idleMs = s.window_s * 1000;
    const spanMs = s.max_span_s * 1000;
    const retryMs = s.retry_within_s * 1000;
    const [trFrom, trTo] = (s.traceroute_ports as number[]).length >= 2 ? (s.traceroute_ports as number[]) : [1, 0];
    const sources = new Map<string, SourceState>();
    const arp = new Map<string, ArpState>();
    let nextSweep = -Infinity;

    function report(src: string, st: SourceState): void {
      for (const sub of SUBS) {
        const t = st.tallies[sub];
        if (t) judge(src, sub, t);
      }
    }

    function judge(src: string, sub: Sub, t: Tally): void {
      const pairs = t.pairs.size;
      const dsts = t.dstPorts.size;
      const ports = t.portDsts.size;
      const horizontal = t.maxPortDsts >= s.min_targets;
      const vertical = t.maxDstPorts >= s.min_ports;
      const mixed = pairs >= (sub === 'UDP' ? s.udp_min_pairs : s.min_pairs) && dsts >= 2 && ports >= 2;
      if (!horizontal && !vertical && !mixed) return;
      const shape = horizontal && !vertical && ports < s.min_ports ? 'horizontal' : vertical && !horizontal && dsts < s.min_targets ? 'vertical' : 'mixed';
      const targets = sortIps(t.dstPorts.keys());
      const portList = [...t.portDsts.keys()].sort((a, b) => a - b);
      const where =
        shape === 'horizontal'
          ? `${plural(dsts, 'host')} on ${ports === 1 ? `port ${portList[0]}` : plural(ports, 'port')}`
          : shape === 'vertical'
            ? `${plural(ports, 'port')} of ${dsts === 1 ? targets[0] : `${plural(dsts, 'host')} (${fmtList(targets)})`}`
            : `${plural(ports, 'port')} on ${plural(dsts, 'host')} (${pairs} address-port pairs)`;
      const answers =
        sub === 'UDP'
          ? `none answered`
          : `${t.unanswered} unanswered, ${t.rejected} rejected, ${t.answered} answered` + (t.unknown ? `, ${t.unknown} with the answer not in the records` : '');
      const c: Candidate = {
        method: 'SCANS',
        submethod: sub,
        src,
        targets,
        start: t.first,
        end: t.last,
        ports: portList,
        proto: sub === 'UDP' ? 'udp' : 'tcp',
        detail: `${src} sent ${PROBE_NAME[sub]} to ${where} in ${fmtDuration(t.last - t.first)} (${t.probes} probes: ${answers}): a ${shape} ${sub === 'UDP' ? 'UDP' : 'TCP'} port scan`,
        evidence: {
          scan: shape,
          probes: t.probes,
          distinct_targets: dsts,
          distinct_ports: ports,
          distinct_pairs: pairs,
          max_ports_per_target: t.maxDstPorts,
          max_targets_per_port: t.maxPortDsts,
          unanswered: t.unanswered,
          rejected: t.rejected,
          answered: t.answered,
          answer_unknown: t.unknown,
          duration_s: Math.round((t.last - t.first) / 100) / 10,
        },
        flows: t.flows,
      };
      ctx.emit(c);
    }

    function judgeArp(src: string, a: ArpState): void {
      const n = a.asked.size;
      if (n < s.arp_min_targets) return;
      let answered = 0;
      for (const v of a.asked.values()) if (v) answered++;
      const unanswered = n - answered;
      if (n < s.arp_always_targets && unanswered < n * s.arp_min_unanswered_ratio) return;
      // the scan starts with its first request for an address that never answered; earlier
      // requests (for the gateway, for peers) are the host's ordinary traffic
      let start = a.first;
      if (unanswered > 0) {
        start = Infinity;
        for (const [ip, ok] of a.asked) if (!ok) start = Math.min(start, a.firstAsked.get(ip) ?? a.first);
      }
      ctx.emit({
        method: 'SCANS',
        submethod: 'ARP',
        src,
        targets: sortIps(a.asked.keys()),
        start,
        end: a.last,
        proto: 'arp',
        detail: `${src} sent ${a.requests} ARP requests for ${n} addresses in ${fmtDuration(a.last - start)} (${answered} answered, ${unanswered} never answered): an ARP scan of the segment`,
        evidence: { requests: a.requests, distinct_targets: n, answered, unanswered, duration_s: Math.round((a.last - start) / 100) / 10 },
        flows: a.flows,
      });
    }

    function onArp(f: Flow, t: number, tEnd: number): void {
      const a = f.arp;
      if (!a) return;
      const spa = typeof a.spa === 'string' ? a.spa : f.src;
      const tpa = typeof a.tpa === 'string' ? a.tpa : f.dst;
      if (!spa || !tpa || spa === tpa || spa === '0.0.0.0') return;
      if (a.op === 'reply') {
        // the replier answered whoever asked (tpa)
        const st = arp.get(tpa);
        if (st && st.asked.has(spa)) st.asked.set(spa, true);
        return;
      }
      if (a.op !== 'request') return;
      let st = arp.get(spa);
      if (st && (t > st.last + idleMs || t > st.first + spanMs)) {
        arp.delete(spa);
        judgeArp(spa, st);
        st = undefined;
      }
      if (!st) arp.set(spa, (st = { first: t, last: t, asked: new Map(), firstAsked: new Map(), requests: 0, flows: [] }));
      if (t < st.first) st.first = t;
      // asking again for a known address (ordinary ARP traffic) does not stretch the scan
      if (!st.asked.has(tpa) && t > st.last) st.last = t;
      st.requests += f.pkts > 0 ? f.pkts : 1;
      const answered = (f.rpkts ?? 0) > 0 || st.asked.get(tpa) === true;
      if (st.asked.size < s.max_pairs_per_source || st.asked.has(tpa)) {
        if (!st.asked.has(tpa)) st.firstAsked.set(tpa, t);
        st.asked.set(tpa, answered);
      }
      addId(st.flows, f.id);
    }

    function sweep(now: number): void {
      for (const [src, st] of sources) {
        if (now > st.last + idleMs || now > st.first + spanMs) {
          sources.delete(src);
          report(src, st);
        }
      }
      for (const [src, st] of arp) {
        if (now > st.last + idleMs || now > st.first + spanMs) {
          arp.delete(src);
          judgeArp(src, st);
        }
      }
    }

    return {
      flow(f, t, tEnd) {
        const proto = f.proto;
        let sub: Sub | undefined;
        if (proto === 'tcp') {
          sub = tcpProbeKind(f, s.connect_probe_max_pkts);
          if (sub === undefined) return;
        } else if (proto === 'udp') {
          // unanswered means counted and none: unidirectional sources (rpkts left out) cannot tell
          if (f.rpkts !== 0 || f.pkts > s.udp_probe_max_pkts) return;
          const dp = f.dport;
          if (dp === undefined || dp === 67 || dp === 68 || (dp >= trFrom && dp <= trTo)) return;
          sub = 'UDP';
        } else if (proto === 'arp') {
          onArp(f, t, tEnd);
          return;
        } else return;
        const src = f.src;
        const dst = f.dst;
        const port = f.dport;
        if (src === undefined || port === undefined || !isUnicast(dst)) return;
        let st = sources.get(src);
        if (st && (t > st.last + idleMs || t > st.first + spanMs)) {
          sources.delete(src);
          report(src, st);
          st = undefined;
        }
        if (!st) sources.set(src, (st = { first: t, last: tEnd, tallies: {}, pairCount: 0 }));
        if (tEnd > st.last) st.last = tEnd;
        let tl = st.tallies[sub];
        if (!tl) tl = st.tallies[sub] = newTally(t);
        if (t < tl.first) tl.first = t;
        const key = dst + ' ' + port;
        // the scan lasts while it probes new pairs or retries old ones soon after; a later flood
        // of one pair (a SYN flood, a client retrying a dead service) neither stretches nor counts
        const seen = tl.pairs.get(key);
        if (seen !== undefined) {
          if (seen >= s.max_probes_per_pair || t > tl.last + retryMs) return;
          tl.pairs.set(key, seen + 1);
          if (tEnd > tl.last) tl.last = tEnd;
          count(tl, f);
          return;
        }
        if (st.pairCount >= s.max_pairs_per_source) return;
        if (tEnd > tl.last) tl.last = tEnd;
        count(tl, f);
        tl.pairs.set(key, 1);
        st.pairCount++;
        const pd = (tl.portDsts.get(port) ?? 0) + 1;
        tl.portDsts.set(port, pd);
        if (pd > tl.maxPortDsts) tl.maxPortDsts = pd;
        const dp = (tl.dstPorts.get(dst) ?? 0) + 1;
        tl.dstPorts.set(dst, dp);
        if (dp > tl.maxDstPorts) tl.maxDstPorts = dp;
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

export default scans;
