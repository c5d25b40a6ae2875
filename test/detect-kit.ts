// Hand-made flows for the detection tests: a flow is written as what matters to a method,
// the rest is filled in with ordinary values.
import { detectArray, type DetectOptions } from '../src/core/detect.js';
import type { Event, Flow } from '../src/record.js';

export const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
let seq = 0;

export interface FlowSpec extends Partial<Omit<Flow, 'start' | 'end'>> {
  /** start, seconds after T0 */
  at: number;
  /** duration, seconds */
  dur?: number;
}

export function flow(spec: FlowSpec): Flow {
  const { at, dur = 0.05, ...rest } = spec;
  const start = T0 + Math.round(at * 1000);
  const f: Flow = {
    kind: 'flow',
    start: new Date(start).toISOString(),
    end: new Date(start + Math.round(dur * 1000)).toISOString(),
    proto: 'tcp',
    pkts: 1,
    bytes: 60,
    ...rest,
  } as Flow;
  if (f.id === undefined) f.id = `f${++seq}`;
  return f;
}

/** A TCP SYN probe; `answer`: 'none' (filtered), 'rst' (closed), 'synack' (open). */
export function synProbe(at: number, src: string, dst: string, dport: number, answer: 'none' | 'rst' | 'synack' = 'rst'): Flow {
  const base: FlowSpec = { at, src, dst, sport: 40000 + (dport % 20000), dport, proto: 'tcp', pkts: 1, bytes: 44, flags: 'S' };
  if (answer === 'none') return flow({ ...base, rpkts: 0, rbytes: 0, state: 'S0' });
  if (answer === 'rst') return flow({ ...base, rpkts: 1, rbytes: 40, rflags: 'AR', state: 'REJ' });
  return flow({ ...base, pkts: 2, bytes: 84, flags: 'RS', rpkts: 1, rbytes: 44, rflags: 'AS', state: 'RSTO' });
}

/** A complete TCP session (handshake, data, close). */
export function session(at: number, src: string, dst: string, dport: number, pkts: number, bytes: number, dur: number, extra: Partial<Flow> = {}): Flow {
  const rp = Math.max(1, Math.round(pkts * 0.9));
  return flow({ at, dur, src, dst, sport: 50000 + Math.floor(at * 7) % 10000, dport, proto: 'tcp', pkts, bytes, rpkts: rp, rbytes: Math.round(bytes * 1.2), flags: 'APSF', rflags: 'APSF', state: 'SF', ...extra });
}

export function arpRequest(at: number, spa: string, tpa: string, answered: boolean): Flow {
  return flow({
    at,
    proto: 'arp',
    src: spa,
    dst: tpa,
    pkts: answered ? 1 : 3,
    bytes: answered ? 28 : 84,
    rpkts: answered ? 1 : 0,
    rbytes: answered ? 28 : 0,
    arp: { op: 'request', sha: '02:00:00:00:00:01', spa, tha: '00:00:00:00:00:00', tpa },
  });
}

export function echo(at: number, src: string, dst: string, pkts = 1, dur = 0.01): Flow {
  return flow({ at, dur, proto: src.includes(':') ? 'icmp6' : 'icmp', src, dst, icmp_type: src.includes(':') ? 128 : 8, icmp_code: 0, pkts, bytes: pkts * 84, rpkts: pkts, rbytes: pkts * 84 });
}

export function dnsQuery(at: number, client: string, server: string, qname = 'www.example.com', answered = true): Flow {
  return flow({ at, proto: 'udp', src: client, dst: server, sport: 40000 + Math.floor(at) % 20000, dport: 53, pkts: 1, bytes: 70, rpkts: answered ? 1 : 0, rbytes: answered ? 120 : 0, app: 'dns', dns: { qname, qtype: 'A', ...(answered ? { rcode: 'NOERROR' } : {}) } });
}

export function dhcpAnswer(at: number, server: string, yiaddr: string, clientMac: string, opts: { router?: string; dns?: string[] } = {}): Flow {
  return flow({
    at,
    proto: 'udp',
    src: server,
    dst: yiaddr,
    sport: 67,
    dport: 68,
    pkts: 2,
    bytes: 656,
    app: 'dhcp',
    dhcp: { msg: 'ACK', msgs: ['OFFER', 'ACK'], client_mac: clientMac, yiaddr, server_id: server, router: opts.router ?? server, dns_servers: opts.dns ?? [server], lease_s: 3600 },
  });
}

/** Flows sorted the way ingest writes them: by end time. */
export function byEnd(flows: Flow[]): Flow[] {
  return [...flows].sort((a, b) => (a.end < b.end ? -1 : a.end > b.end ? 1 : 0));
}

export function run(flows: Flow[], opts: Partial<DetectOptions> = {}): Event[] {
  return detectArray(byEnd(flows) as unknown as Record<string, unknown>[], { config: {}, ...opts });
}

export function only(events: Event[], method: string, submethod?: string): Event[] {
  return events.filter((e) => e.method === method && (submethod === undefined || e.submethod === submethod));
}
