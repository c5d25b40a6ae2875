// fir enrich: context for each event's source and targets (and, when asked, each flow's two
// ends): host names learned from the traffic (now and at detection time), MAC, user, CMDB
// asset and link. A pure transform over records; the lookup tables are built beforehand.
import { HostTable } from '../enrich/hosts.js';
import type { Cmdb, Users } from '../enrich/identity.js';

export interface EnrichTables {
  hosts: HostTable;
  users?: Users;
  cmdb?: Cmdb;
  cmdbUrl?: (v: { ip: string; mac?: string; host?: string }) => string;
}

export interface EnrichOptions {
  /** also add src_/dst_ fields to flow records */
  flowsToo: boolean;
}

/** What is known about one address at one time; unknown fields are left out. */
export interface HostInfo {
  ip: string;
  host?: string;
  host_at_detection?: string;
  mac?: string;
  user?: string;
  cmdb?: Record<string, string>;
}

export function hostInfo(tables: EnrichTables, ip: string, t: number): HostInfo {
  const info: HostInfo = { ip };
  const host = tables.hosts.latestName(ip);
  const then = tables.hosts.nameAt(ip, t);
  if (host !== undefined) info.host = host;
  if (then !== undefined) info.host_at_detection = then;
  const mac = tables.hosts.mac(ip);
  if (mac !== undefined) info.mac = mac;
  const user = tables.users?.at(ip, mac, t);
  if (user !== undefined) info.user = user;
  const row = tables.cmdb?.find(ip, mac);
  if (row || tables.cmdbUrl) {
    const c: Record<string, string> = { ...row };
    if (tables.cmdbUrl) c.url = tables.cmdbUrl({ ip, ...(mac ? { mac } : {}), ...(host ? { host } : {}) });
    info.cmdb = c;
  }
  return info;
}

/** Add the context fields to one record (a new object; the input is not changed). */
export function enrichRecord(rec: Record<string, unknown>, tables: EnrichTables, opts: EnrichOptions): Record<string, unknown> {
  if (rec.kind === 'event') {
    if (typeof rec.src !== 'string') return rec;
    const t = typeof rec.start === 'string' ? Date.parse(rec.start) : NaN;
    const out: Record<string, unknown> = { ...rec };
    const s = hostInfo(tables, rec.src, t);
    if (s.host !== undefined) out.src_host = s.host;
    if (s.host_at_detection !== undefined) out.src_host_at_detection = s.host_at_detection;
    if (s.mac !== undefined) out.src_mac = s.mac;
    if (s.user !== undefined) out.src_user = s.user;
    if (s.cmdb !== undefined) out.cmdb = s.cmdb;
    if (Array.isArray(rec.targets)) {
      const info: HostInfo[] = [];
      for (const ip of rec.targets) {
        if (typeof ip !== 'string') continue;
        const ti = hostInfo(tables, ip, t);
        if (Object.keys(ti).length > 1) info.push(ti);
      }
      if (info.length) out.target_info = info;
    }
    return out;
  }
  if (rec.kind === 'flow' && opts.flowsToo) {
    const t = typeof rec.start === 'string' ? Date.parse(rec.start) : NaN;
    const out: Record<string, unknown> = { ...rec };
    for (const side of ['src', 'dst'] as const) {
      const ip = rec[side];
      if (typeof ip !== 'string') continue;
      // a flow is its own moment: its host name is the one valid at its start
      const host = tables.hosts.nameAt(ip, t);
      if (host !== undefined) out[`${side}_host`] = host;
      const mac = tables.hosts.mac(ip);
      // the flow's own layer-2 address is a router's for remote hosts: say the host's MAC where known
      if (mac !== undefined && rec[side === 'src' ? 'smac' : 'dmac'] !== mac) out[`${side}_mac`] = mac;
      const user = tables.users?.at(ip, mac, t);
      if (user !== undefined) out[`${side}_user`] = user;
    }
    return out;
  }
  return rec;
}

/** The transform: records in, enriched records out. */
export async function* enrich(
  batches: AsyncIterable<{ rec: Record<string, unknown> }[]>,
  tables: EnrichTables,
  opts: EnrichOptions,
): AsyncGenerator<Record<string, unknown>[]> {
  for await (const batch of batches) yield batch.map((r) => enrichRecord(r.rec, tables, opts));
}

export { HostTable };
