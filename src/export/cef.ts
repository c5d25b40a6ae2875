// --format cef: ArcSight Common Event Format 0, one line per record:
//   CEF:0|fir|fir|VERSION|SIGNATURE|NAME|SEVERITY|EXTENSION
// Header fields escape `\` and `|`; extension values escape `\`, `=`, CR and LF
// (as `\r` `\n`). Events: the signature id is METHOD/SUBMETHOD, the severity comes from the
// priority (critical 10, high 8, medium 6, low 3, info 1). Flows: signature `flow`,
// severity 1. Other kinds have no CEF form and are reported and skipped.
import { VERSION } from '../version.js';
import { writeLines } from './sink.js';
import type { ExportWriter } from './types.js';

const SEVERITY: Record<string, number> = { critical: 10, high: 8, medium: 6, low: 3, info: 1 };

const HEADER_SPECIAL = /[\\|\r\n]/;
const EXT_SPECIAL = /[\\=\r\n]/;

export function cefHeader(s: string): string {
  if (!HEADER_SPECIAL.test(s)) return s;
  return s.replace(/[\\|]/g, (c) => '\\' + c).replace(/\r\n|[\r\n]/g, ' ');
}

export function cefValue(s: string): string {
  if (!EXT_SPECIAL.test(s)) return s;
  return s.replace(/[\\=\r\n]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\' + c));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** An extension builder: keys in the order added, values escaped. */
class Ext {
  parts: string[] = [];
  add(key: string, v: string | number | undefined): void {
    if (v === undefined) return;
    this.parts.push(key + '=' + (typeof v === 'number' ? String(v) : cefValue(v)));
  }
  /** a custom string field with its label */
  custom(n: number, label: string, v: string | undefined): void {
    if (v === undefined) return;
    this.parts.push(`cs${n}=${cefValue(v)}`, `cs${n}Label=${label}`);
  }
  text(): string {
    return this.parts.join(' ');
  }
}

const isV6 = (ip: string) => ip.includes(':');
const ms = (t: unknown): number | undefined => {
  if (typeof t !== 'string') return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
};

function addAddr(e: Ext, side: 'src' | 'dst', ip: string | undefined): void {
  if (ip === undefined) return;
  if (isV6(ip)) {
    // c6a2/c6a3 are the CEF source/destination IPv6 fields
    const n = side === 'src' ? 2 : 3;
    e.add(`c6a${n}`, ip);
    e.add(`c6a${n}Label`, side === 'src' ? 'Source IPv6 Address' : 'Destination IPv6 Address');
  } else e.add(side, ip);
}

const PREFIX = `CEF:0|fir|fir|${cefHeader(VERSION)}|`;

/** The CEF line of an event record; a string saying what is missing when it cannot be one. */
export function cefEvent(r: Record<string, unknown>): string {
  const method = str(r.method);
  if (!method) return 'event without method';
  const sub = str(r.submethod);
  const sig = sub ? `${method}/${sub}` : method;
  const sev = SEVERITY[String(r.priority)] ?? 1;
  const e = new Ext();
  const end = ms(r.end);
  const start = ms(r.start);
  e.add('rt', end ?? start);
  e.add('start', start);
  e.add('end', end);
  addAddr(e, 'src', str(r.src));
  e.add('smac', str(r.src_mac));
  e.add('shost', str(r.src_host));
  e.add('suser', str(r.src_user));
  const targets = Array.isArray(r.targets) ? (r.targets as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  addAddr(e, 'dst', targets[0]);
  const ti = r.target_info;
  const firstInfo = Array.isArray(ti) ? (ti[0] as Record<string, unknown> | undefined) : undefined;
  if (firstInfo && typeof firstInfo === 'object') {
    e.add('dhost', str(firstInfo.host));
    e.add('dmac', str(firstInfo.mac));
    e.add('duser', str(firstInfo.user));
  }
  const ports = Array.isArray(r.ports) ? (r.ports as unknown[]).filter((p): p is number => typeof p === 'number') : [];
  if (ports.length) e.add('dpt', ports[0]);
  e.add('proto', str(r.proto)?.toUpperCase());
  e.add('cnt', num(r.target_count) ?? (targets.length || undefined));
  e.add('externalId', str(r.id));
  const attack = r.attack as Record<string, unknown> | undefined;
  e.add('cat', str(attack?.tactic));
  e.add('msg', str(r.detail));
  e.custom(1, 'targets', targets.length ? targets.join(',') : undefined);
  e.custom(2, 'method', sig);
  e.custom(3, 'attack', attack ? [str(attack.tactic), str(attack.technique)].filter(Boolean).join(' ') || undefined : undefined);
  e.custom(4, 'ports', ports.length ? ports.join(',') : undefined);
  e.custom(5, 'evidence', r.evidence !== undefined ? JSON.stringify(r.evidence) : undefined);
  const cmdb = r.cmdb as Record<string, unknown> | undefined;
  e.custom(6, 'cmdbUrl', cmdb && typeof cmdb === 'object' ? str(cmdb.url) : undefined);
  return PREFIX + cefHeader(sig) + '|' + cefHeader(str(r.title) ?? sig) + '|' + sev + '|' + e.text();
}

/** The CEF line of a flow record. */
export function cefFlow(r: Record<string, unknown>): string {
  const e = new Ext();
  const start = ms(r.start);
  const end = ms(r.end);
  e.add('rt', end ?? start);
  e.add('start', start);
  e.add('end', end);
  addAddr(e, 'src', str(r.src));
  e.add('spt', num(r.sport));
  e.add('smac', str(r.smac));
  addAddr(e, 'dst', str(r.dst));
  e.add('dpt', num(r.dport));
  e.add('dmac', str(r.dmac));
  e.add('proto', str(r.proto)?.toUpperCase());
  e.add('out', num(r.bytes));
  e.add('in', num(r.rbytes));
  e.add('cn1', num(r.pkts));
  if (r.pkts !== undefined) e.add('cn1Label', 'pkts');
  e.add('cn2', num(r.rpkts));
  if (r.rpkts !== undefined) e.add('cn2Label', 'rpkts');
  e.add('app', str(r.app));
  e.add('externalId', str(r.id));
  e.custom(1, 'flags', str(r.flags));
  e.custom(2, 'state', str(r.state));
  e.custom(3, 'communityId', str(r.community_id));
  const dns = r.dns as Record<string, unknown> | undefined;
  e.add('request', dns && typeof dns === 'object' ? str(dns.qname) : undefined);
  return PREFIX + 'flow|Network flow|1|' + e.text();
}

const writer: ExportWriter = {
  output: 'stream',
  async run(records, _opts, ctx) {
    await writeLines(records, ctx, (item) => {
      const r = item.rec;
      let line: string;
      if (r.kind === 'event') line = cefEvent(r);
      else if (r.kind === 'flow') line = cefFlow(r);
      else {
        ctx.diag.skip(item.source, item.line, `kind ${JSON.stringify(r.kind ?? null).slice(0, 40)} has no CEF form (events and flows only)`);
        return undefined;
      }
      if (!line.startsWith('CEF:')) {
        ctx.diag.skip(item.source, item.line, line);
        return undefined;
      }
      return line;
    });
    return 0;
  },
};

export default writer;
