// The record types of the contract (../shared/spec/fir.md, "Records"), in one place.

export type Priority = 'critical' | 'high' | 'medium' | 'low' | 'info';
/** Most severe first. */
export const PRIORITIES: readonly Priority[] = ['critical', 'high', 'medium', 'low', 'info'];
/** Higher is more severe: critical 4 … info 0. */
export function priorityRank(p: string): number {
  const i = PRIORITIES.indexOf(p as Priority);
  return i < 0 ? -1 : PRIORITIES.length - 1 - i;
}
export function isPriority(p: unknown): p is Priority {
  return typeof p === 'string' && (PRIORITIES as readonly string[]).includes(p);
}

export interface DnsInfo {
  qname?: string;
  qtype?: string;
  rcode?: string;
  answers?: string[];
  [k: string]: unknown;
}

export interface DhcpInfo {
  msg?: string;
  client_mac?: string;
  yiaddr?: string;
  server_id?: string;
  router?: string;
  dns_servers?: string[];
  hostname?: string;
  lease_s?: number;
  [k: string]: unknown;
}

export interface ArpInfo {
  op: 'request' | 'reply';
  sha: string;
  spa: string;
  tha: string;
  tpa: string;
  [k: string]: unknown;
}

export interface Flow {
  kind: 'flow';
  start: string;
  end: string;
  proto: string;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  icmp_type?: number;
  icmp_code?: number;
  pkts: number;
  bytes: number;
  rpkts?: number;
  rbytes?: number;
  flags?: string;
  rflags?: string;
  state?: string;
  smac?: string;
  dmac?: string;
  vlan?: number;
  dns?: DnsInfo;
  dhcp?: DhcpInfo;
  arp?: ArpInfo;
  app?: string;
  community_id?: string;
  origin?: string;
  id?: string;
  [k: string]: unknown;
}

export interface Event {
  kind: 'event';
  id: string;
  start: string;
  end: string;
  method: string;
  submethod: string;
  title: string;
  priority: Priority;
  src: string;
  targets: string[];
  target_count?: number;
  ports?: number[];
  proto?: string;
  detail: string;
  evidence: Record<string, unknown> & { flows?: string[] };
  attack?: { tactic: string; technique: string; [k: string]: unknown };
  src_mac?: string;
  src_host?: string;
  src_host_at_detection?: string;
  src_user?: string;
  cmdb?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface Summary {
  kind: 'summary';
  by: string;
  key: unknown;
  flows: number;
  pkts: number;
  bytes: number;
  start?: string;
  end?: string;
  [k: string]: unknown;
}

export interface Bin {
  kind: 'bin';
  start: string;
  end: string;
  flows: number;
  pkts: number;
  bytes: number;
  [k: string]: unknown;
}

export type AnyRecord = Flow | Event | Summary | Bin | { kind?: unknown; [k: string]: unknown };

/** ISO 8601 UTC with milliseconds, so times sort as strings. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Milliseconds since the epoch of an ISO time; NaN when it does not parse. */
export function timeMs(iso: unknown): number {
  return typeof iso === 'string' ? Date.parse(iso) : NaN;
}

export const TCP_FLAG_ORDER = 'CEUAPRSF';
