// DNSANOMALY/TUNNEL: DNS used as a carrier (iodine, dnscat2, DNS exfiltration). A client's DNS
// flows are grouped by the domain asked for (the registered part of the name: the last two
// labels, three under a short second-level label such as co.uk) and judged per window. The
// carrier signs: big queries (IP bytes per query; the data rides in the name), many distinct
// subdomains of the one domain, long or random-looking labels, odd query types (TXT, NULL,
// CNAME, MX, ANY, SRV, PRIVATE), DNS over TCP with volume, and a client whose DNS bytes are far
// above the other clients'. One sign alone is ordinary (a mail server asks for TXT records, a
// busy client sends many queries); tunnel_min_signs of them on one domain make the event. The
// client is the event's src and the servers it asked are the targets.
//
// DNSANOMALY is one method with the server checks of dns-server.ts: `withTunnel` adds this
// detector to that method object (one name, one config section, one entry in --methods).
import type { DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import type { Flow } from '../../record.js';
import { escapeControl } from '../../term.js';
import { fmtBytes, fmtList, median, plural } from '../util.js';

const ODD_QTYPES = new Set(['TXT', 'NULL', 'CNAME', 'MX', 'ANY', 'SRV', 'PRIVATE', '10', '16', '255', '65399']);

interface Dom {
  first: number;
  last: number;
  queries: number;
  flows: number;
  bytesUp: number;
  bytesDown: number;
  tcpBytes: number;
  odd: number;
  long: number;
  named: number;
  names: Set<string>;
  examples: string[];
  servers: Set<string>;
  qtypes: Map<string, number>;
  ids: string[];
}

interface Client {
  first: number;
  bytes: number;
  domains: Map<string, Dom>;
}

/** The registered domain of a name: `a.b.example.com` → `example.com`, `x.example.co.uk` → `example.co.uk`. */
export function baseDomain(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = n.toLowerCase().split('.');
  if (labels.length <= 2) return labels.join('.');
  const sld = labels[labels.length - 2]!;
  const tld = labels[labels.length - 1]!;
  const take = tld.length === 2 && sld.length <= 3 && labels.length >= 3 ? 3 : 2;
  return labels.slice(-take).join('.');
}

/** Shannon entropy of a string, bits per character. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Whether a name carries data: a label of long_label characters or more, or a long random-looking one. */
export function looksEncoded(name: string, domain: string, longLabel: number, entropyBits: number): boolean {
  const sub = name.length > domain.length ? name.slice(0, name.length - domain.length - 1) : '';
  if (sub.length === 0) return false;
  for (const label of sub.split('.')) {
    if (label.length >= longLabel) return true;
    if (label.length >= 16 && entropy(label) >= entropyBits) return true;
  }
  return false;
}

/** The TUNNEL detector; its settings are the tunnel_* settings of the DNSANOMALY section. */
export function createTunnel(ctx: MethodContext): MethodInstance {
  const s = ctx.settings;
  const windowMs = s.tunnel_window_s * 1000;
  const ports = new Set<number>(s.ports as number[]);
  const clients = new Map<string, Client>();
  let nextSweep = -Infinity;

  function judge(client: string, c: Client): void {
    const others: number[] = [];
    for (const [ip, o] of clients) if (ip !== client) others.push(o.bytes);
    const otherMedian = others.length >= 2 ? median(others) : undefined;
    for (const [domain, d] of c.domains) {
      if (d.queries < s.tunnel_min_queries) continue;
      const signs: string[] = [];
      const perQuery = d.bytesUp / Math.max(1, d.queries);
      if (perQuery >= s.tunnel_query_bytes) signs.push(`queries of ${Math.round(perQuery)} bytes on average`);
      const uniqueRatio = d.names.size / Math.max(1, d.named);
      if (d.names.size >= s.tunnel_subdomains && uniqueRatio >= s.tunnel_unique_ratio) signs.push(`${d.names.size} distinct subdomains`);
      if (d.named > 0 && d.long / d.named >= s.tunnel_long_ratio) signs.push(`${Math.round((d.long / d.named) * 100)}% long or random-looking names`);
      if (d.odd >= d.queries * s.tunnel_odd_qtype_ratio) signs.push(`${Math.round((d.odd / d.queries) * 100)}% ${fmtList([...d.qtypes.keys()].filter((q) => ODD_QTYPES.has(q)))} queries`);
      if (d.tcpBytes >= s.tunnel_tcp_bytes) signs.push(`${fmtBytes(d.tcpBytes)} of DNS over TCP`);
      if (otherMedian !== undefined && c.bytes >= Math.max(1, otherMedian) * s.tunnel_volume_factor) signs.push(`${Math.round(c.bytes / Math.max(1, otherMedian))}x the DNS bytes of the median client`);
      if (signs.length < s.tunnel_min_signs) continue;
      const servers = [...d.servers];
      ctx.emit({
        method: 'DNSANOMALY',
        submethod: 'TUNNEL',
        src: client,
        targets: servers,
        start: d.first,
        end: d.last,
        ports: [...ports].sort((a, b) => a - b),
        proto: d.tcpBytes > d.bytesUp + d.bytesDown - d.tcpBytes ? 'tcp' : 'udp',
        detail: `${client} sent ${plural(d.queries, 'DNS query', 'DNS queries')} for names under ${escapeControl(domain)} to ${fmtList(servers)} (${fmtBytes(d.bytesUp)} up, ${fmtBytes(d.bytesDown)} down): ${signs.join(', ')}; DNS used as a carrier`,
        evidence: {
          domain,
          queries: d.queries,
          bytes_up: d.bytesUp,
          bytes_down: d.bytesDown,
          bytes_per_query: Math.round(perQuery),
          distinct_subdomains: d.names.size,
          encoded_name_ratio: d.named ? Math.round((d.long / d.named) * 100) / 100 : 0,
          odd_qtype_ratio: Math.round((d.odd / d.queries) * 100) / 100,
          qtypes: Object.fromEntries(d.qtypes),
          tcp_bytes: d.tcpBytes,
          ...(otherMedian !== undefined ? { client_dns_bytes: c.bytes, median_client_dns_bytes: otherMedian } : {}),
          signs: signs.length,
          names: d.examples,
        },
        flows: d.ids,
      });
    }
  }

  function sweep(now: number): void {
    for (const [ip, c] of clients) {
      if (now > c.first + windowMs) {
        judge(ip, c);
        clients.delete(ip);
      }
    }
  }

  return {
    flow(f: Flow, t: number, tEnd: number) {
      const dp = f.dport;
      if (dp === undefined || !ports.has(dp)) return;
      const proto = f.proto;
      if (proto !== 'udp' && proto !== 'tcp') return;
      const client = f.src;
      const server = f.dst;
      if (client === undefined || server === undefined) return;
      let c = clients.get(client);
      if (c && t > c.first + windowMs) {
        judge(client, c);
        clients.delete(client);
        c = undefined;
      }
      if (!c) {
        if (clients.size >= s.tunnel_max_clients) return;
        clients.set(client, (c = { first: t, bytes: 0, domains: new Map() }));
      }
      const qname = typeof f.dns?.qname === 'string' ? f.dns.qname.toLowerCase() : undefined;
      const domain = qname === undefined ? '(no name seen)' : baseDomain(qname);
      let d = c.domains.get(domain);
      if (!d) {
        if (c.domains.size >= s.tunnel_max_domains_per_client) return;
        c.domains.set(domain, (d = { first: t, last: tEnd, queries: 0, flows: 0, bytesUp: 0, bytesDown: 0, tcpBytes: 0, odd: 0, long: 0, named: 0, names: new Set(), examples: [], servers: new Set(), qtypes: new Map(), ids: [] }));
      }
      if (t < d.first) d.first = t;
      if (tEnd > d.last) d.last = tEnd;
      // a UDP flow of one client port carries one query a packet; a TCP connection about one every
      // three packets (the query, the ACK of the answer, and its own handshake and close amortised)
      const tcp = proto === 'tcp';
      const q = tcp ? Math.max(1, Math.round(f.pkts / 3)) : Math.max(1, f.pkts);
      d.queries += q;
      d.flows++;
      d.bytesUp += f.bytes;
      d.bytesDown += f.rbytes ?? 0;
      c.bytes += f.bytes + (f.rbytes ?? 0);
      if (tcp) d.tcpBytes += f.bytes + (f.rbytes ?? 0);
      const qt = f.dns?.qtype;
      const qtype = typeof qt === 'string' ? qt.toUpperCase() : typeof qt === 'number' ? String(qt) : undefined;
      if (qtype !== undefined) {
        if (ODD_QTYPES.has(qtype)) d.odd += q;
        if (d.qtypes.size < 16 || d.qtypes.has(qtype)) d.qtypes.set(qtype, (d.qtypes.get(qtype) ?? 0) + q);
      }
      if (d.servers.size < 16) d.servers.add(server);
      if (qname !== undefined) {
        d.named++;
        if (looksEncoded(qname, domain, s.tunnel_long_label, s.tunnel_entropy_bits)) d.long++;
        if (d.names.size < s.tunnel_max_names) d.names.add(qname);
        if (d.examples.length < 3 && !d.examples.includes(qname)) d.examples.push(qname.length > 120 ? qname.slice(0, 120) + '…' : qname);
      }
      if (d.ids.length < 20 && typeof f.id === 'string') d.ids.push(f.id);
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
}

/** DNSANOMALY with the TUNNEL detector added: the same method object, one more submethod. */
export function withTunnel(base: DetectionMethod): DetectionMethod {
  return {
    ...base,
    submethods: [...base.submethods, 'TUNNEL'],
    title: { ...base.title, TUNNEL: 'DNS tunnel' },
    attack: { ...base.attack, TUNNEL: { tactic: 'command-and-control', technique: 'T1071.004' } },
    priority: { ...base.priority, TUNNEL: 'high' },
    defaults: base.defaults,
    create(ctx: MethodContext): MethodInstance {
      const a = base.create(ctx);
      const b = createTunnel(ctx);
      return {
        flow(f, t, tEnd) {
          a.flow(f, t, tEnd);
          b.flow(f, t, tEnd);
        },
        advance(now) {
          a.advance?.(now);
          b.advance?.(now);
        },
        finish() {
          a.finish();
          b.finish();
        },
      };
    },
  };
}
