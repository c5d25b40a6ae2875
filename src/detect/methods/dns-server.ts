// DNSANOMALY/FORBIDDENSERVER and UNUSUALSERVER: clients resolving through a DNS server that is
// not allowed (with --dns-servers) or, without a list, through one that almost no other client
// uses, or one that a rogue DHCP server handed out (told by DHCPANOM). The client is the
// event's src and the server its target. A resolver forwarding its clients' queries upstream
// is not a client of an unusual server: hosts that answer DNS to others are passed over.
import { METHOD_DEFAULTS } from '../config.js';
import type { DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import { parseIp } from '../../net.js';
import { fmtList, plural } from '../util.js';
import { OFFERED_DNS_KEY, ROGUE_DNS_KEY, ROGUE_SERVERS_KEY } from './dhcp.js';

interface Pair {
  client: string;
  server: string;
  first: number;
  last: number;
  /** start of the window being judged; the counts run on from `first` */
  windowStart: number;
  /** flows were added since the pair was last judged */
  dirty: boolean;
  queries: number;
  answered: number;
  names: string[];
  flows: string[];
}

export const dnsServer: DetectionMethod = {
  name: 'DNSANOMALY',
  submethods: ['FORBIDDENSERVER', 'UNUSUALSERVER'],
  title: { FORBIDDENSERVER: 'DNS through a forbidden server', UNUSUALSERVER: 'DNS through an unusual server' },
  attack: {
    FORBIDDENSERVER: { tactic: 'command-and-control', technique: 'T1071.004' },
    UNUSUALSERVER: { tactic: 'command-and-control', technique: 'T1071.004' },
  },
  priority: { FORBIDDENSERVER: 'high', UNUSUALSERVER: 'medium' },
  windowMs: METHOD_DEFAULTS.DNSANOMALY.event_window_s * 1000,
  defaults: METHOD_DEFAULTS.DNSANOMALY,
  create(ctx: MethodContext): MethodInstance {
    const s = ctx.settings;
    const windowMs = s.window_s * 1000;
    // a pair idle for longer than the event window starts afresh (the engine closed its event);
    // until then the counts accumulate, so each candidate tells the whole story since `first`
    const idleMs = Math.max(windowMs, (s.event_window_s ?? s.window_s) * 1000);
    const ports = new Set<number>(s.ports as number[]);
    const allowedList = (ctx.config.dns_servers ?? []).map((a) => parseIp(a)?.text ?? a);
    const allowed = allowedList.length ? new Set(allowedList) : undefined;
    /** server → its clients (the baseline of what is usual) */
    const serverClients = new Map<string, Set<string>>();
    /** hosts that answered DNS queries of others: resolvers */
    const resolvers = new Set<string>();
    const pairs = new Map<string, Pair>();
    let nextSweep = -Infinity;

    // the two most used servers, kept as clients are added (sizes only grow)
    let top1: string | undefined;
    let top2: string | undefined;
    const size = (srv: string | undefined) => (srv === undefined ? -1 : serverClients.get(srv)!.size);
    function grew(srv: string): void {
      if (srv === top1) return;
      if (size(srv) > size(top1)) {
        top2 = top1;
        top1 = srv;
      } else if (srv !== top2 && size(srv) > size(top2)) top2 = srv;
    }
    function mostUsed(except: string): [string, number] | undefined {
      const best = except === top1 ? top2 : top1;
      return best === undefined ? undefined : [best, size(best)];
    }

    function judge(p: Pair): void {
      if (resolvers.has(p.client) || (allowed && allowed.has(p.client))) return;
      const rogue = (ctx.shared.get(ROGUE_DNS_KEY) as Map<string, string> | undefined)?.get(p.server);
      const nClients = serverClients.get(p.server)?.size ?? 1;
      let sub: 'FORBIDDENSERVER' | 'UNUSUALSERVER';
      let why: string;
      const evidence: Record<string, unknown> = {};
      if (allowed) {
        if (allowed.has(p.server)) return;
        sub = 'FORBIDDENSERVER';
        why = `not one of the allowed DNS servers (${fmtList(allowedList)})`;
        evidence.allowed_servers = allowedList;
      } else {
        const main = mostUsed(p.server);
        // a server the network's own DHCP hands out (a secondary resolver) is usual however few use it
        const offeredBy = (ctx.shared.get(OFFERED_DNS_KEY) as Map<string, Set<string>> | undefined)?.get(p.server);
        const rogueServers = ctx.shared.get(ROGUE_SERVERS_KEY) as Set<string> | undefined;
        const handedOut = offeredBy !== undefined && [...offeredBy].some((d) => !rogueServers?.has(d));
        const unusual = !handedOut && main !== undefined && main[1] >= s.usual_min_clients && main[1] > nClients && nClients <= Math.max(1, main[1] * s.unusual_max_client_ratio);
        if (!unusual && !rogue) return;
        sub = 'UNUSUALSERVER';
        why = unusual
          ? `a server ${nClients <= 1 ? 'no other client uses' : `only ${nClients} clients use`} (${plural(main![1], 'client')} use ${main![0]}; decided from the traffic, no --dns-servers)`
          : 'a server that is not the usual one';
        evidence.decided_from = 'traffic';
        evidence.server_clients = nClients;
        if (main) {
          evidence.usual_server = main[0];
          evidence.usual_server_clients = main[1];
        }
      }
      if (rogue) {
        why += `; it was handed out by the rogue DHCP server ${rogue}`;
        evidence.handed_out_by = rogue;
      }
      const c = {
        method: 'DNSANOMALY',
        submethod: sub,
        src: p.client,
        targets: [p.server],
        start: p.first,
        end: p.last,
        ports: [...ports].sort((a, b) => a - b),
        detail: `${p.client} sent ${plural(p.queries, 'DNS query', 'DNS queries')} to ${p.server} (${p.answered} answered), ${why}`,
        evidence: { ...evidence, queries: p.queries, answered: p.answered, names: p.names },
        flows: p.flows,
      };
      ctx.emit(rogue && sub === 'UNUSUALSERVER' ? { ...c, minPriority: 'high' } : c);
    }

    function sweep(now: number): void {
      for (const [key, p] of pairs) {
        if (now > p.last + idleMs) {
          pairs.delete(key);
          if (p.dirty) judge(p);
        } else if (p.dirty && now > p.windowStart + windowMs) {
          judge(p);
          p.dirty = false;
          p.windowStart = now;
        }
      }
    }

    return {
      flow(f, t, tEnd) {
        const dp = f.dport;
        if (dp === undefined || !ports.has(dp) || (f.proto !== 'udp' && f.proto !== 'tcp')) {
          // a one-direction record of answers (from port 53 to a client port) shows a resolver
          // (with data: the RST of a closed port 53 answering a port scan is not an answer)
          if (f.sport !== undefined && ports.has(f.sport) && f.src !== undefined && f.rpkts === undefined && (dp === undefined || dp >= 1024) && (f.proto === 'udp' || (f.proto === 'tcp' && (f.flags ?? '').indexOf('P') >= 0))) resolvers.add(f.src);
          return;
        }
        // a query carried data: a port probe of port 53 (nmap) is not a client using a server
        const tcp = f.proto === 'tcp';
        if (tcp ? (f.flags ?? '').indexOf('P') < 0 : f.pkts < 1) return;
        const client = f.src;
        const server = f.dst;
        if (client === undefined || server === undefined || client === server) return;
        const answered = (f.rpkts ?? 0) > 0 && (f.dns !== undefined || !tcp || (f.rflags ?? '').indexOf('P') >= 0);
        let cl = serverClients.get(server);
        if (!cl && serverClients.size < s.max_servers) serverClients.set(server, (cl = new Set()));
        if (cl && cl.size < s.max_clients_per_server && !cl.has(client)) {
          cl.add(client);
          grew(server);
        }
        if (answered) resolvers.add(server);
        const key = client + ' ' + server;
        let p = pairs.get(key);
        if (p && t > p.last + idleMs) {
          pairs.delete(key);
          if (p.dirty) judge(p);
          p = undefined;
        } else if (p && t > p.windowStart + windowMs) {
          if (p.dirty) judge(p);
          p.dirty = false;
          p.windowStart = t;
        }
        if (!p) pairs.set(key, (p = { client, server, first: t, last: tEnd, windowStart: t, dirty: false, queries: 0, answered: 0, names: [], flows: [] }));
        p.dirty = true;
        if (t < p.first) p.first = t;
        if (tEnd > p.last) p.last = tEnd;
        p.queries += f.proto === 'udp' ? Math.max(1, f.pkts) : 1;
        if (answered) p.answered += f.proto === 'udp' ? f.rpkts! : 1;
        const q = f.dns?.qname;
        if (typeof q === 'string' && p.names.length < 5 && !p.names.includes(q)) p.names.push(q);
        if (typeof f.id === 'string' && p.flows.length < 20) p.flows.push(f.id);
      },
      advance(now) {
        if (now < nextSweep) return;
        nextSweep = now + 5000;
        sweep(now);
      },
      finish() {
        for (const p of pairs.values()) if (p.dirty) judge(p);
        pairs.clear();
      },
    };
  },
};

export default dnsServer;
