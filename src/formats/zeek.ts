// Zeek conn.log, as TSV (with its #fields header) or JSON (one object a line). Where the
// folder of the conn.log also holds dns.log and dhcp.log (plain or .gz), their records are
// joined to the flows by uid so that `dns` and `dhcp` are filled. Those two logs are held in
// memory for the join (at most JOIN_LIMIT uids each).
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DhcpInfo, DnsInfo, Flow } from '../record.js';
import { badTimes, blankFacts, clearFacts, makeFlow, protoNumber, type FlowFacts } from './netflow/normalize.js';
import { Fields, lineBatches, parseDateTime, parseEpochSeconds } from './netflow/text.js';
import { rowReaders, type RowSink } from './netflow/rows.js';
import { lineChunks, type ChunkReader } from './text-chunks.js';
import { chunkedText } from './text-parallel.js';
import type { FormatReader, ReadContext } from './types.js';
import { sniffZeek } from './text-sniff.js';

export { sniffZeek };

export const JOIN_LIMIT = 2_000_000;

/** Zeek's TCP history letters to the flags each side sent (upper case: originator). */
export function historyFlags(h: string): { flags: number; rflags: number } {
  let flags = 0;
  let rflags = 0;
  for (let i = 0; i < h.length; i++) {
    switch (h[i]) {
      case 'S': flags |= 0x02; break;
      case 'H': flags |= 0x12; break;
      case 'A': flags |= 0x10; break;
      case 'D': flags |= 0x10; break; // payload after the handshake rides on an ACK
      case 'F': flags |= 0x01; break;
      case 'R': flags |= 0x04; break;
      case 's': rflags |= 0x02; break;
      case 'h': rflags |= 0x12; break;
      case 'a': rflags |= 0x10; break;
      case 'd': rflags |= 0x10; break;
      case 'f': rflags |= 0x01; break;
      case 'r': rflags |= 0x04; break;
    }
  }
  return { flags, rflags };
}

const SERVICE_APP: Record<string, string> = { ssl: 'tls', dtls: 'tls', 'spicy_ssl': 'tls', krb: 'kerberos', krb_tcp: 'kerberos' };

/** One conn record, whatever the log's encoding. */
export interface ConnFields {
  ts?: string | number;
  uid?: string;
  oh?: string;
  op?: number;
  rh?: string;
  rp?: number;
  proto?: string;
  ipProto?: number;
  service?: string;
  duration?: number;
  origPkts?: number;
  origIpBytes?: number;
  respPkts?: number;
  respIpBytes?: number;
  state?: string;
  history?: string;
  origL2?: string;
  respL2?: string;
  vlan?: number;
  communityId?: string;
}

function tsMs(ts: string | number | undefined): number {
  if (typeof ts === 'number') return Number.isFinite(ts) ? Math.floor(ts * 1000 + 1e-6) : NaN;
  if (ts === undefined) return NaN;
  const e = parseEpochSeconds(ts);
  return Number.isNaN(e) ? parseDateTime(ts) : e;
}

/** The facts of a conn record into `facts` (cleared first), or the reason it cannot be a flow. */
export function connFacts(c: ConnFields, facts: FlowFacts, dns?: DnsInfo, dhcp?: DhcpInfo): string | undefined {
  const start = tsMs(c.ts);
  if (Number.isNaN(start)) return `ts ${String(c.ts ?? '(missing)')} is not a time`;
  if (!c.oh || !c.rh) return 'no id.orig_h or id.resp_h';
  let proto = c.ipProto ?? (c.proto === 'tcp' ? 6 : c.proto === 'udp' ? 17 : protoNumber(c.proto ?? ''));
  if (proto === 1 && c.oh.includes(':')) proto = 58; // Zeek says icmp for ICMPv6 too
  if (proto < 0) return `unknown proto ${c.proto ?? ''}`;
  const end = start + Math.round((c.duration ?? 0) * 1000);
  const why = badTimes(start, end);
  if (why) return why;
  clearFacts(facts);
  facts.startMs = start;
  facts.endMs = end;
  facts.proto = proto;
  facts.src = c.oh;
  facts.dst = c.rh;
  facts.pkts = c.origPkts ?? 0;
  facts.bytes = c.origIpBytes ?? 0;
  facts.rpkts = c.respPkts ?? 0;
  facts.rbytes = c.respIpBytes ?? 0;
  if (proto === 1 || proto === 58) {
    // Zeek puts the ICMP type in orig_p and the code in resp_p
    facts.icmpType = c.op;
    facts.icmpCode = c.rp;
  } else {
    facts.sport = c.op;
    facts.dport = c.rp;
  }
  if (proto === 6 && c.history) {
    const h = historyFlags(c.history);
    facts.flags = h.flags;
    facts.rflags = h.rflags;
  }
  if (c.state) facts.state = c.state;
  if (c.origL2) facts.smac = c.origL2.toLowerCase();
  if (c.respL2) facts.dmac = c.respL2.toLowerCase();
  if (c.vlan !== undefined) facts.vlan = c.vlan;
  if (c.service) {
    const comma = c.service.indexOf(',');
    const s = (comma < 0 ? c.service : c.service.slice(0, comma)).toLowerCase();
    facts.app = SERVICE_APP[s] ?? s;
  }
  if (dns) facts.dns = dns;
  if (dhcp) facts.dhcp = dhcp;
  return undefined;
}

/** The flow of a conn record, or the reason it cannot be one. */
export function connFlow(c: ConnFields, origin: string, dns?: DnsInfo, dhcp?: DhcpInfo, id?: string): Flow | string {
  const facts = blankFacts();
  const why = connFacts(c, facts, dns, dhcp);
  if (why !== undefined) return why;
  const f = makeFlow(facts, origin, origin, id);
  if (c.communityId) f.community_id = c.communityId;
  return f;
}

/** TSV header state of a Zeek ASCII log. */
class TsvHeader {
  sep = '\t';
  setSep = ',';
  unset = '-';
  empty = '(empty)';
  path = '';
  fields: string[] | undefined;
  idx: Record<string, number> = {};
  /** where the conn columns fir reads are, -1 when absent */
  cols: number[] = [];

  /** Take a # line; true when it was a header line. */
  take(line: string): boolean {
    if (line.charCodeAt(0) !== 35) return false;
    const sp = line.indexOf(line.startsWith('#separator') ? ' ' : this.sep);
    const key = sp < 0 ? line.slice(1) : line.slice(1, sp);
    const val = sp < 0 ? '' : line.slice(sp + 1);
    if (key === 'separator') this.sep = val.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    else if (key === 'set_separator') this.setSep = val;
    else if (key === 'unset_field') this.unset = val;
    else if (key === 'empty_field') this.empty = val;
    else if (key === 'path') this.path = val;
    else if (key === 'fields') {
      this.fields = val.split(this.sep);
      this.idx = {};
      this.fields.forEach((f, i) => (this.idx[f] = i));
      this.cols = CONN_COLUMNS.map((name) => this.idx[name] ?? -1);
    }
    return true;
  }

  get(row: string[], name: string): string | undefined {
    const i = this.idx[name];
    if (i === undefined || i >= row.length) return undefined;
    const v = row[i];
    return v === this.unset || v === this.empty ? undefined : v;
  }
}

const numOf = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
};

const CONN_COLUMNS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'ip_proto', 'service', 'duration', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'conn_state', 'history', 'orig_l2_addr', 'resp_l2_addr', 'vlan', 'community_id'] as const;

function tsvConn(h: TsvHeader, f: Fields): ConnFields {
  const c = h.cols;
  const v = (i: number): string | undefined => {
    if (i < 0) return undefined;
    const x = f.get(i);
    return x === h.unset || x === h.empty || (x === '' && i >= f.n) ? undefined : x;
  };
  return {
    ts: v(c[0]),
    uid: v(c[1]),
    oh: v(c[2]),
    op: numOf(v(c[3])),
    rh: v(c[4]),
    rp: numOf(v(c[5])),
    proto: v(c[6]),
    ipProto: numOf(v(c[7])),
    service: v(c[8]),
    duration: numOf(v(c[9])),
    origPkts: numOf(v(c[10])),
    origIpBytes: numOf(v(c[11])),
    respPkts: numOf(v(c[12])),
    respIpBytes: numOf(v(c[13])),
    state: v(c[14]),
    history: v(c[15]),
    origL2: v(c[16]),
    respL2: v(c[17]),
    vlan: numOf(v(c[18])),
    communityId: v(c[19]),
  };
}

type Obj = Record<string, unknown>;
const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const n = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function jget(o: Obj, dotted: string): unknown {
  if (dotted in o) return o[dotted];
  const dot = dotted.indexOf('.');
  if (dot < 0) return undefined;
  const inner = o[dotted.slice(0, dot)];
  return inner && typeof inner === 'object' ? (inner as Obj)[dotted.slice(dot + 1)] : undefined;
}

function jsonConn(o: Obj): ConnFields {
  const svc = o.service;
  return {
    ts: typeof o.ts === 'number' || typeof o.ts === 'string' ? o.ts : undefined,
    uid: s(o.uid),
    oh: s(jget(o, 'id.orig_h')),
    op: n(jget(o, 'id.orig_p')),
    rh: s(jget(o, 'id.resp_h')),
    rp: n(jget(o, 'id.resp_p')),
    proto: s(o.proto),
    ipProto: n(o.ip_proto),
    service: Array.isArray(svc) ? s(svc[0]) : s(svc),
    duration: n(o.duration),
    origPkts: n(o.orig_pkts),
    origIpBytes: n(o.orig_ip_bytes),
    respPkts: n(o.resp_pkts),
    respIpBytes: n(o.resp_ip_bytes),
    state: s(o.conn_state),
    history: s(o.history),
    origL2: s(o.orig_l2_addr),
    respL2: s(o.resp_l2_addr),
    vlan: n(o.vlan),
    communityId: s(o.community_id),
  };
}

/** Records of a Zeek log (TSV or JSON) as objects keyed by field name, for dns.log and dhcp.log. */
async function* logObjects(file: string): AsyncGenerator<Obj> {
  let input: Readable = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  const h = new TsvHeader();
  for await (const batch of lineBatches(input)) {
    for (let k = 0; k < batch.lines.length; k++) {
      const lt = batch.lines[k];
      const ll = batch.first + k;
      const t = lt;
      if (t.length === 0 || h.take(t)) continue;
      if (t.charCodeAt(0) === 123) {
        try {
          yield JSON.parse(t) as Obj;
        } catch {
          /* a bad line of a joined log only loses its join */
        }
        continue;
      }
      if (!h.fields) continue;
      const row = t.split(h.sep);
      const o: Obj = {};
      for (const f of h.fields) {
        const v = h.get(row, f);
        if (v !== undefined) o[f] = v;
      }
      o.__setSep = h.setSep;
      yield o;
    }
  }
}

function listOf(v: unknown, sep: string): string[] | undefined {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(sep);
  return undefined;
}

function siblingLog(source: string, name: string): string | undefined {
  if (source === 'stdin') return undefined;
  const dir = path.dirname(source);
  for (const f of [`${name}.log`, `${name}.log.gz`]) {
    const p = path.join(dir, f);
    if (p !== source && existsSync(p)) return p;
  }
  return undefined;
}

/** uid → DNS of dns.log (first transaction of each uid; later answers are added). */
export async function loadDns(file: string): Promise<Map<string, DnsInfo>> {
  const map = new Map<string, DnsInfo>();
  for await (const o of logObjects(file)) {
    const uid = s(o.uid);
    if (!uid) continue;
    const sep = typeof o.__setSep === 'string' ? o.__setSep : ',';
    const answers = listOf(o.answers, sep);
    const have = map.get(uid);
    if (have) {
      if (answers?.length) have.answers = [...(have.answers ?? []), ...answers].slice(0, 64);
      continue;
    }
    if (map.size >= JOIN_LIMIT) continue;
    const d: DnsInfo = {};
    const q = s(o.query);
    if (q) d.qname = q;
    const qt = s(o.qtype_name) ?? (o.qtype !== undefined ? String(o.qtype) : undefined);
    if (qt) d.qtype = qt;
    const rc = s(o.rcode_name) ?? (o.rcode !== undefined ? String(o.rcode) : undefined);
    if (rc) d.rcode = rc;
    if (answers?.length) d.answers = answers.slice(0, 64);
    map.set(uid, d);
  }
  return map;
}

/** uid → DHCP of dhcp.log (Zeek 3+: one record per exchange, `uids` set). */
export async function loadDhcp(file: string): Promise<Map<string, DhcpInfo>> {
  const map = new Map<string, DhcpInfo>();
  for await (const o of logObjects(file)) {
    const sep = typeof o.__setSep === 'string' ? o.__setSep : ',';
    const uids = listOf(o.uids, sep) ?? (s(o.uid) ? [s(o.uid)!] : []);
    if (!uids.length || map.size >= JOIN_LIMIT) continue;
    const d: DhcpInfo = {};
    const msgs = listOf(o.msg_types, sep);
    if (msgs?.length) d.msg = msgs[msgs.length - 1].toUpperCase();
    const mac = s(o.mac);
    if (mac) d.client_mac = mac.toLowerCase();
    const yi = s(o.assigned_addr);
    if (yi) d.yiaddr = yi;
    const sid = s(o.server_addr);
    if (sid) d.server_id = sid;
    const hn = s(o.host_name) ?? s(o.client_fqdn);
    if (hn) d.hostname = hn;
    const lease = typeof o.lease_time === 'number' ? o.lease_time : Number(o.lease_time);
    if (Number.isFinite(lease)) d.lease_s = Math.round(lease);
    for (const u of uids) map.set(u, d);
  }
  return map;
}

/** What the lines before decide for a conn record: the TSV header, whether a line without one was reported. */
interface ZeekState {
  h: TsvHeader;
  headerless: boolean;
}

const zeekStart = (): ZeekState => ({ h: new TsvHeader(), headerless: false });

const SCRATCH = { fields: new Fields(9), facts: blankFacts() };

/** The conn records of a batch of lines, each to `row` (its facts and own Community ID) or reported; `counts` the lines passed over. */
function zeekLines(st: ZeekState, lines: string[], first: number, ctx: ReadContext, row: RowSink, counts: Record<string, number>, dns?: Map<string, DnsInfo>, dhcp?: Map<string, DhcpInfo>): ZeekState {
  // a state that came from another thread is plain data again
  const h = st.h instanceof TsvHeader ? st.h : (st.h = Object.assign(new TsvHeader(), st.h));
  const facts = SCRATCH.facts;
  let fields = SCRATCH.fields;
  for (let k = 0; k < lines.length; k++) {
    const t = lines[k];
    const ll = first + k;
    if (t.length === 0) continue;
    let c: ConnFields;
    if (t.charCodeAt(0) === 123) {
      let o: Obj;
      try {
        o = JSON.parse(t) as Obj;
      } catch (err) {
        ctx.diag.skip(ctx.source, ll, `not JSON (${(err as Error).message.slice(0, 80)})`);
        continue;
      }
      if (!('conn_state' in o) && !('orig_pkts' in o) && !('duration' in o) && ('query' in o || 'msg_types' in o || 'trans_id' in o)) {
        counts.other = (counts.other ?? 0) + 1;
        continue;
      }
      c = jsonConn(o);
    } else {
      if (h.take(t)) continue;
      if (!h.fields) {
        // a zeek-cut extract or another tool's TSV: say it once, count the rest
        if (!st.headerless) {
          st.headerless = true;
          ctx.diag.skip(ctx.source, ll, 'a Zeek TSV line before the #fields header');
        } else counts.headerless = (counts.headerless ?? 0) + 1;
        continue;
      }
      if (h.path && h.path !== 'conn') {
        counts.other = (counts.other ?? 0) + 1;
        continue;
      }
      if (fields.sep !== h.sep.charCodeAt(0)) fields = SCRATCH.fields = new Fields(h.sep.charCodeAt(0));
      c = tsvConn(h, fields.set(t));
    }
    const why = connFacts(c, facts, c.uid ? dns?.get(c.uid) : undefined, c.uid ? dhcp?.get(c.uid) : undefined);
    if (why !== undefined) ctx.diag.skip(ctx.source, ll, why);
    else row(facts, ll, c.communityId);
  }
  return st;
}

/** What only the end of a log says: lines without a header, records of other logs. */
function zeekEnd(counts: Record<string, number>, ctx: ReadContext): void {
  const headerless = counts.headerless ?? 0;
  const otherLog = counts.other ?? 0;
  if (headerless > 0) ctx.diag.skip(ctx.source, undefined, `${headerless} more lines without a #fields header skipped`);
  if (otherLog) ctx.diag.warn(`${otherLog} records of a Zeek log other than conn.log passed over (dns.log and dhcp.log are joined to the conn.log beside them)`, ctx.source);
}

/** The conn records of a Zeek log, each to `row` (its facts and own Community ID) or reported; one yield a batch of lines. */
async function* rows(input: Readable, ctx: ReadContext, row: RowSink): AsyncGenerator<void> {
  let dns: Map<string, DnsInfo> | undefined;
  let dhcp: Map<string, DhcpInfo> | undefined;
  const dnsLog = siblingLog(ctx.source, 'dns');
  const dhcpLog = siblingLog(ctx.source, 'dhcp');
  try {
    if (dnsLog) dns = await loadDns(dnsLog);
    if (dhcpLog) dhcp = await loadDhcp(dhcpLog);
  } catch (err) {
    ctx.diag.warn(`cannot join dns.log/dhcp.log: ${(err as Error).message}`, ctx.source);
  }
  const st = zeekStart();
  const counts: Record<string, number> = {};
  for await (const batch of lineBatches(input)) {
    zeekLines(st, batch.lines, batch.first, ctx, row, counts, dns, dhcp);
    yield;
  }
  zeekEnd(counts, ctx);
}

/** true when a conn.log has a dns.log or dhcp.log beside it to join (then it is read in one thread) */
export function zeekJoins(source: string): boolean {
  return siblingLog(source, 'dns') !== undefined || siblingLog(source, 'dhcp') !== undefined;
}

/** Zeek conn.log chunk by chunk (text-parallel.ts), without the dns.log/dhcp.log join */
export const zeekChunks: ChunkReader<ZeekState> = lineChunks(zeekStart, zeekLines, { end: (_s, out) => zeekEnd(out.counts, out.ctx) });

const zeekReaders = rowReaders(rows, false);

export const zeekConn: FormatReader = {
  name: 'zeek',
  describe: 'Zeek conn.log, TSV with #fields or JSON; dns.log and dhcp.log beside it are joined by uid',
  sniff: sniffZeek,
  // Zeek's connections are bidirectional already: nothing to pair
  ...zeekReaders,
  // without a dns.log or dhcp.log to join: chunk by chunk in this thread, as the worker threads read it
  readText: (input, ctx) => (zeekJoins(ctx.source) ? zeekReaders.readText!(input, ctx) : chunkedText('zeek', zeekChunks as ChunkReader<unknown>, input, ctx)),
};
