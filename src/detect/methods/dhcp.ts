// DHCPANOM/FAKESERVER: a DHCP server that is not an allowed one hands out leases. With
// --dhcp-servers every OFFER/ACK/NAK (ADVERTISE/REPLY for DHCPv6) from another server is an
// event. Without it the method decides from the traffic: on a segment where one server serves
// most clients, another server answering is rogue (and the detail says how it was decided).
// Answers are judged a little after they are seen so that a slower legitimate server (which
// answers after the rogue one: the reason rogue servers win) is known by then. The rogue server
// is the event's src, the addresses it handed out its targets; the router and DNS servers it
// handed out go in the detail and evidence, and are published to DNSANOMALY.
import { METHOD_DEFAULTS } from '../config.js';
import type { DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import type { Flow } from '../../record.js';
import { parseIp, sortIps } from '../../net.js';
import { fmtList, plural, segmentOf } from '../util.js';

const SERVER_MSGS = new Set(['OFFER', 'ACK', 'NAK', 'ADVERTISE', 'REPLY']);

interface ServerStats {
  clients: Set<string>;
  segment: string;
  first: number;
}

interface Answer {
  server: string;
  t: number;
  tEnd: number;
  msgs: string[];
  client?: string;
  yiaddr?: string;
  router?: string;
  dns: string[];
  id?: string;
}

/** What DHCPANOM tells DNSANOMALY: DNS server address → the rogue DHCP server that handed it out. */
export const ROGUE_DNS_KEY = 'dhcp.rogue_dns_servers';
/** ... and DNS server address → the DHCP servers that handed it out (rogue or not) ... */
export const OFFERED_DNS_KEY = 'dhcp.offered_dns_servers';
/** ... and the DHCP servers found rogue. */
export const ROGUE_SERVERS_KEY = 'dhcp.rogue_servers';

/** The server that sent a DHCP answer in this flow, or undefined when the flow holds none. */
export function dhcpServerOf(f: Flow): string | undefined {
  const d = f.dhcp;
  if (!d) return undefined;
  const msgs = Array.isArray(d.msgs) ? (d.msgs as string[]) : d.msg !== undefined ? [d.msg] : [];
  if (!msgs.some((m) => SERVER_MSGS.has(m))) return undefined;
  if (typeof d.server_id === 'string' && parseIp(d.server_id)) return parseIp(d.server_id)!.text;
  if (f.sport === 67 || f.sport === 547) return f.src;
  if (f.dport === 67 || f.dport === 547) return f.dst;
  return undefined;
}

export const dhcp: DetectionMethod = {
  name: 'DHCPANOM',
  submethods: ['FAKESERVER'],
  title: { FAKESERVER: 'Rogue DHCP server' },
  attack: { FAKESERVER: { tactic: 'credential-access', technique: 'T1557.003' } },
  priority: { FAKESERVER: 'high' },
  windowMs: METHOD_DEFAULTS.DHCPANOM.event_window_s * 1000,
  defaults: METHOD_DEFAULTS.DHCPANOM,
  create(ctx: MethodContext): MethodInstance {
    const s = ctx.settings;
    const delayMs = s.window_s * 1000;
    const allowedList = (ctx.config.dhcp_servers ?? []).map((a) => parseIp(a)?.text ?? a);
    const allowed = allowedList.length ? new Set(allowedList) : undefined;
    const localNets = ctx.config.local_nets ?? [];
    const servers = new Map<string, ServerStats>();
    /** segment → router handed out → clients given it */
    const routerVotes = new Map<string, Map<string, Set<string>>>();
    let pending: Answer[] = [];
    const rogueDns = new Map<string, string>();
    ctx.shared.set(ROGUE_DNS_KEY, rogueDns);
    const offeredDns = new Map<string, Set<string>>();
    ctx.shared.set(OFFERED_DNS_KEY, offeredDns);
    const rogueServers = new Set<string>();
    ctx.shared.set(ROGUE_SERVERS_KEY, rogueServers);
    const maxServers = s.max_servers;
    const maxClients = s.max_clients_per_server;

    function judge(batch: Answer[]): void {
      const byServer = new Map<string, Answer[]>();
      for (const a of batch) {
        let list = byServer.get(a.server);
        if (!list) byServer.set(a.server, (list = []));
        list.push(a);
      }
      for (const [server, answers] of byServer) {
        let why: string;
        const evidence: Record<string, unknown> = {};
        if (allowed) {
          if (allowed.has(server)) continue;
          why = `not one of the allowed DHCP servers (${fmtList(allowedList)})`;
          evidence.allowed_servers = allowedList;
        } else {
          const me = servers.get(server);
          if (!me) continue;
          let main: [string, ServerStats] | undefined;
          for (const e of servers) {
            if (e[0] === server || e[1].segment !== me.segment) continue;
            if (!main || e[1].clients.size > main[1].clients.size) main = e;
          }
          // the router most clients of the segment are given: when it is itself a DHCP server, it is the real one
          let router: string | undefined;
          let votes = 0;
          for (const [r, cl] of routerVotes.get(me.segment) ?? []) if (cl.size > votes || (cl.size === votes && router !== undefined && r < router)) [router, votes] = [r, cl.size];
          const routerServer = router !== undefined && servers.get(router)?.segment === me.segment ? router : undefined;
          const byClients = main !== undefined && main[1].clients.size >= s.min_main_clients && main[1].clients.size >= me.clients.size * s.main_clients_factor && server !== routerServer;
          const byRouter = routerServer !== undefined && routerServer !== server;
          if (!byClients && !byRouter) continue;
          why = byClients
            ? `decided from the traffic (no --dhcp-servers): ${main![0]} serves ${plural(main![1].clients.size, 'client')} on ${me.segment}, this server ${me.clients.size}`
            : `decided from the traffic (no --dhcp-servers): ${routerServer}, the router that clients on ${me.segment} are given, is itself a DHCP server and this one is not`;
          evidence.decided_from = 'traffic';
          if (main) {
            evidence.main_server = main[0];
            evidence.main_server_clients = main[1].clients.size;
          }
          evidence.server_clients = me.clients.size;
          if (routerServer) evidence.router_server = routerServer;
        }
        const targets = new Set<string>();
        const routers = new Set<string>();
        const dns = new Set<string>();
        const clients = new Set<string>();
        const msgs = new Map<string, number>();
        const flows: string[] = [];
        let start = Infinity;
        let end = -Infinity;
        for (const a of answers) {
          if (a.yiaddr) targets.add(a.yiaddr);
          if (a.client) clients.add(a.client);
          if (a.router) routers.add(a.router);
          for (const d of a.dns) dns.add(d);
          for (const m of a.msgs) if (SERVER_MSGS.has(m)) msgs.set(m, (msgs.get(m) ?? 0) + 1);
          if (a.id && flows.length < 20) flows.push(a.id);
          if (a.t < start) start = a.t;
          if (a.tEnd > end) end = a.tEnd;
        }
        for (const d of dns) if (!rogueDns.has(d)) rogueDns.set(d, server);
        rogueServers.add(server);
        const msgText = [...msgs].map(([m, n]) => `${n} ${m}`).join(', ');
        const gave: string[] = [];
        if (targets.size) gave.push(`addresses ${fmtList(sortIps(targets))}`);
        if (routers.size) gave.push(`router ${fmtList(sortIps(routers))}`);
        if (dns.size) gave.push(`DNS server ${fmtList(sortIps(dns))}`);
        ctx.emit({
          method: 'DHCPANOM',
          submethod: 'FAKESERVER',
          src: server,
          targets: sortIps(targets),
          start,
          end,
          ports: [server.indexOf(':') >= 0 ? 547 : 67],
          proto: 'udp',
          detail: `DHCP server ${server} answered ${plural(clients.size || answers.length, 'client')} (${msgText})${gave.length ? `, handing out ${gave.join(', ')}` : ''}; it is ${why}`,
          evidence: {
            ...evidence,
            answers: answers.length,
            messages: Object.fromEntries(msgs),
            clients: sortClients(clients),
            leased: sortIps(targets),
            routers: sortIps(routers),
            dns_servers: sortIps(dns),
          },
          flows,
        });
      }
    }

    function release(now: number): void {
      if (pending.length === 0 || pending[0]!.t + delayMs >= now) return;
      const due = pending.filter((a) => a.t + delayMs < now);
      pending = pending.filter((a) => a.t + delayMs >= now);
      judge(due);
    }

    return {
      flow(f, t, tEnd) {
        if (f.dhcp === undefined) return;
        const server = dhcpServerOf(f);
        if (!server || server === '0.0.0.0') return;
        const d = f.dhcp;
        const client = typeof d.client_mac === 'string' ? d.client_mac : typeof d.yiaddr === 'string' ? d.yiaddr : undefined;
        let st = servers.get(server);
        if (!st && servers.size < maxServers) {
          servers.set(server, (st = { clients: new Set(), segment: segmentOf(server, localNets, s.segment_prefix_v4, s.segment_prefix_v6), first: t }));
        }
        if (st && client && st.clients.size < maxClients) st.clients.add(client);
        const rt = typeof d.router === 'string' ? parseIp(d.router)?.text : undefined;
        if (st && rt && client) {
          let seg = routerVotes.get(st.segment);
          if (!seg) routerVotes.set(st.segment, (seg = new Map()));
          let cl = seg.get(rt);
          if (!cl && seg.size < maxServers) seg.set(rt, (cl = new Set()));
          if (cl && cl.size < maxClients) cl.add(client);
        }
        if (pending.length >= s.max_answers) judge(pending.splice(0, pending.length >> 1));
        const msgs = Array.isArray(d.msgs) ? (d.msgs as string[]).filter((m) => typeof m === 'string') : d.msg !== undefined ? [d.msg] : [];
        const a: Answer = { server, t, tEnd, msgs, dns: Array.isArray(d.dns_servers) ? d.dns_servers.filter((x): x is string => typeof x === 'string' && parseIp(x) !== undefined) : [] };
        if (client) a.client = client;
        if (typeof d.yiaddr === 'string' && parseIp(d.yiaddr)) a.yiaddr = parseIp(d.yiaddr)!.text;
        if (typeof d.router === 'string' && parseIp(d.router)) a.router = parseIp(d.router)!.text;
        if (f.id !== undefined) a.id = f.id;
        for (const dnsServer of a.dns) {
          let by = offeredDns.get(dnsServer);
          if (!by && offeredDns.size < maxServers) offeredDns.set(dnsServer, (by = new Set()));
          if (by && by.size < maxServers) by.add(server);
        }
        pending.push(a);
      },
      advance(now) {
        release(now);
      },
      finish() {
        const all = pending;
        pending = [];
        judge(all);
      },
    };
  },
};

function sortClients(c: Set<string>): string[] {
  return [...c].sort();
}

export default dhcp;
