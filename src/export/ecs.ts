// --format ecs: Elastic Common Schema (8.x) documents, one per line (NDJSON, ready for the
// _bulk API or Filebeat). Events become `event.kind: alert`, flows `event.kind: event` with
// `event.category: network`; summaries and bins `event.kind: metric`. What ECS has no field
// for stays under `fir.*`.
import { writeLines } from './sink.js';
import type { ExportWriter } from './types.js';

const SEVERITY: Record<string, number> = { critical: 10, high: 8, medium: 6, low: 3, info: 1 };

type Doc = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** ECS writes MAC addresses upper-case with hyphens. */
export function ecsMac(mac: unknown): string | undefined {
  return typeof mac === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac) ? mac.toUpperCase().replace(/:/g, '-') : undefined;
}

/** IANA protocol keyword as ECS network.transport wants it. */
function transport(p: unknown): string | undefined {
  const s = str(p);
  if (!s) return undefined;
  return s === 'icmp6' ? 'ipv6-icmp' : s.toLowerCase();
}

/** Drop undefined members (and objects left empty) so the document carries only known values. */
function clean(o: Doc): Doc | undefined {
  let any = false;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) delete o[k];
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const c = clean(v as Doc);
      if (c === undefined) delete o[k];
      else any = true;
    } else if (Array.isArray(v) && v.length === 0) delete o[k];
    else any = true;
  }
  return any ? o : undefined;
}

const uniq = (a: (string | undefined)[]): string[] => [...new Set(a.filter((x): x is string => x !== undefined))];

function durationNs(start: unknown, end: unknown): number | undefined {
  const a = typeof start === 'string' ? Date.parse(start) : NaN;
  const b = typeof end === 'string' ? Date.parse(end) : NaN;
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : (b - a) * 1e6;
}

export function ecsEvent(r: Doc): Doc {
  const targets = Array.isArray(r.targets) ? (r.targets as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  const ports = Array.isArray(r.ports) ? (r.ports as unknown[]).filter((p): p is number => typeof p === 'number') : [];
  const info = Array.isArray(r.target_info) ? (r.target_info as Doc[]).filter((t) => t && typeof t === 'object') : [];
  const first = info.find((t) => t.ip === targets[0]);
  const attack = (r.attack && typeof r.attack === 'object' ? r.attack : {}) as Doc;
  const method = str(r.method);
  const sig = method && str(r.submethod) ? `${method}/${r.submethod}` : method;
  const doc: Doc = {
    '@timestamp': str(r.start) ?? str(r.end),
    message: str(r.detail),
    event: {
      kind: 'alert',
      category: ['network', 'intrusion_detection'],
      type: ['info'],
      action: sig,
      severity: SEVERITY[String(r.priority)],
      start: str(r.start),
      end: str(r.end),
      duration: durationNs(r.start, r.end),
      id: str(r.id),
      dataset: 'fir.event',
      module: 'fir',
      reason: str(r.detail),
    },
    rule: { name: str(r.title), id: sig, category: method },
    source: {
      ip: str(r.src),
      mac: ecsMac(r.src_mac),
      domain: str(r.src_host),
      user: { name: str(r.src_user) },
    },
    destination: targets.length ? { ip: targets[0], port: ports[0], mac: ecsMac(first?.mac), domain: str(first?.host) } : undefined,
    network: { transport: transport(r.proto) },
    related: {
      ip: uniq([str(r.src), ...targets]),
      hosts: uniq([str(r.src_host), ...info.map((t) => str(t.host))]),
      user: uniq([str(r.src_user), ...info.map((t) => str(t.user))]),
    },
    threat: str(attack.tactic) || str(attack.technique)
      ? { framework: 'MITRE ATT&CK', tactic: { name: str(attack.tactic) }, technique: { id: str(attack.technique) } }
      : undefined,
    fir: {
      kind: 'event',
      priority: str(r.priority),
      method,
      submethod: str(r.submethod),
      targets: targets.length ? targets : undefined,
      target_count: num(r.target_count),
      ports: ports.length ? ports : undefined,
      evidence: r.evidence,
      src_host_at_detection: str(r.src_host_at_detection),
      target_info: info.length ? info : undefined,
      cmdb: r.cmdb,
    },
  };
  return clean(doc) ?? {};
}

export function ecsFlow(r: Doc): Doc {
  const dns = (r.dns && typeof r.dns === 'object' ? r.dns : undefined) as Doc | undefined;
  const bytes = num(r.bytes);
  const rbytes = num(r.rbytes);
  const pkts = num(r.pkts);
  const rpkts = num(r.rpkts);
  const src = str(r.src);
  const dst = str(r.dst);
  const doc: Doc = {
    '@timestamp': str(r.start),
    event: {
      kind: 'event',
      category: ['network'],
      type: ['connection'],
      start: str(r.start),
      end: str(r.end),
      duration: durationNs(r.start, r.end),
      id: str(r.id),
      dataset: 'fir.flow',
      module: 'fir',
    },
    source: { ip: src, port: num(r.sport), mac: ecsMac(r.smac), bytes, packets: pkts },
    destination: { ip: dst, port: num(r.dport), mac: ecsMac(r.dmac), bytes: rbytes, packets: rpkts },
    network: {
      transport: transport(r.proto),
      type: src ? (src.includes(':') ? 'ipv6' : 'ipv4') : undefined,
      protocol: str(r.app),
      community_id: str(r.community_id),
      bytes: bytes !== undefined ? bytes + (rbytes ?? 0) : undefined,
      packets: pkts !== undefined ? pkts + (rpkts ?? 0) : undefined,
      vlan: { id: r.vlan !== undefined ? String(r.vlan) : undefined },
    },
    related: { ip: uniq([src, dst]) },
    dns: dns
      ? {
          question: { name: str(dns.qname), type: str(dns.qtype) },
          response_code: str(dns.rcode),
          answers: Array.isArray(dns.answers) ? (dns.answers as unknown[]).map((a) => ({ data: String(a) })) : undefined,
        }
      : undefined,
    fir: {
      kind: 'flow',
      flags: str(r.flags),
      rflags: str(r.rflags),
      state: str(r.state),
      icmp_type: num(r.icmp_type),
      icmp_code: num(r.icmp_code),
      dhcp: r.dhcp,
      arp: r.arp,
      origin: str(r.origin),
    },
  };
  return clean(doc) ?? {};
}

export function ecsOther(r: Doc): Doc {
  const kind = str(r.kind) ?? 'record';
  return clean({ '@timestamp': str(r.start), event: { kind: 'metric', dataset: `fir.${kind}`, module: 'fir', start: str(r.start), end: str(r.end) }, fir: r }) ?? {};
}

const writer: ExportWriter = {
  output: 'stream',
  async run(records, _opts, ctx) {
    await writeLines(records, ctx, ({ rec: r }) => JSON.stringify(r.kind === 'event' ? ecsEvent(r) : r.kind === 'flow' ? ecsFlow(r) : ecsOther(r)));
    return 0;
  },
};

export default writer;
