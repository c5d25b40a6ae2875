// Suricata eve.json: `flow` events (both directions) and `netflow` events (one direction each)
// become flows; `dns` and `dhcp` events are attached to their flow by flow_id (they come
// before the flow event, which Suricata writes when the flow ends; held at most HOLD_LIMIT
// flow ids); `alert` events are passed on as fir events (method IDS). Suricata counts frame
// bytes: where the event says the link is Ethernet (`ether`), fir subtracts 14 bytes a packet.
import type { Readable } from 'node:stream';
import type { DhcpInfo, DnsInfo, Event, Flow, Priority } from '../record.js';
import { pairBatches } from './netflow/biflow.js';
import { asText, badTimes, blankFacts, clearFacts, flagsByte, makeFlow, protoNumber, stableId, writeRowLine, type FlowFacts, type LineIds } from './netflow/normalize.js';
import { DateTimeReader, lineBatches, parseDateTime, TextSink } from './netflow/text.js';
import type { FormatReader, ReadContext } from './types.js';
import { sniffEve } from './text-sniff.js';

export { sniffEve };
import type { ChunkReader } from './text-chunks.js';
import { chunkedText } from './text-parallel.js';

export const HOLD_LIMIT = 100_000;

type Obj = Record<string, unknown>;
const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const n = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

const SEVERITY: Record<number, Priority> = { 1: 'high', 2: 'medium', 3: 'low' };

/** The flow id fir gives to Suricata's flow_id, so alerts can name their flow. */
export function eveFlowId(source: string, flowId: unknown): string {
  return stableId(`${source}/suricata/${String(flowId)}`);
}

/** the value of a hex digit's character code, -1 for another character */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function tcpFlags(t: Obj | undefined, key: string): number | undefined {
  const v = t ? s(t[key]) : undefined;
  if (v === undefined) return undefined;
  // one or two hex digits (Suricata's "1b"), else letters
  const h0 = hexDigit(v.charCodeAt(0));
  const h1 = v.length === 2 ? hexDigit(v.charCodeAt(1)) : 0;
  const b = v.length <= 2 && h0 >= 0 && h1 >= 0 ? (v.length === 2 ? h0 * 16 + h1 : h0) : flagsByte(v);
  return b >= 0 ? b : undefined;
}

/** DNS of a dns event (eve format 1, 2 and 3). */
export function eveDns(d: Obj): DnsInfo {
  const out: DnsInfo = {};
  const q = obj(Array.isArray(d.queries) ? d.queries[0] : undefined);
  const qname = s(d.rrname) ?? (q ? s(q.rrname) : undefined);
  const qtype = s(d.rrtype) ?? (q ? s(q.rrtype) : undefined);
  if (qname) out.qname = qname;
  if (qtype) out.qtype = qtype;
  const rcode = s(d.rcode);
  if (rcode) out.rcode = rcode;
  const answers: string[] = [];
  if (Array.isArray(d.answers)) for (const a of d.answers) { const r = obj(a) && s((a as Obj).rdata); if (r) answers.push(r); }
  const grouped = obj(d.grouped);
  if (grouped) for (const v of Object.values(grouped)) if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') answers.push(x);
  if (answers.length) out.answers = [...new Set(answers)].slice(0, 64);
  return out;
}

/** DHCP of a dhcp event. */
export function eveDhcp(d: Obj): DhcpInfo {
  const out: DhcpInfo = {};
  const t = s(d.dhcp_type);
  if (t) out.msg = t.toUpperCase();
  const mac = s(d.client_mac);
  if (mac) out.client_mac = mac.toLowerCase();
  const yi = s(d.assigned_ip);
  if (yi && yi !== '0.0.0.0') out.yiaddr = yi;
  const sid = s(d.dhcp_server_id) ?? s(d.server_id);
  if (sid) out.server_id = sid;
  const routers = Array.isArray(d.routers) ? d.routers.filter((x): x is string => typeof x === 'string') : [];
  if (routers.length) out.router = routers[0];
  const dnsServers = Array.isArray(d.dns_servers) ? d.dns_servers.filter((x): x is string => typeof x === 'string') : [];
  if (dnsServers.length) out.dns_servers = dnsServers;
  const hn = s(d.hostname);
  if (hn) out.hostname = hn;
  const lease = n(d.lease_time);
  if (lease !== undefined) out.lease_s = lease;
  return out;
}

interface Held {
  dns?: DnsInfo;
  dhcp?: DhcpInfo;
}

/** parseDateTime with the minute cached (the events of a file are close in time) */
const TIMES = new DateTimeReader();

/** The facts of a flow or netflow event into `facts` (cleared first), or the reason it is bad. */
function eveFacts(e: Obj, facts: FlowFacts, held?: Held): string | undefined {
  const netflow = e.event_type === 'netflow';
  const f = obj(netflow ? e.netflow : e.flow);
  if (!f) return `${netflow ? 'netflow' : 'flow'} event without its ${netflow ? 'netflow' : 'flow'} object`;
  const startText = s(f.start) ?? s(e.timestamp);
  const endText = s(f.end) ?? startText;
  const start = startText ? TIMES.of(startText) : NaN;
  const end = endText === startText ? start : endText ? TIMES.of(endText) : NaN;
  if (Number.isNaN(start) || Number.isNaN(end)) return `bad time ${startText ?? '(missing)'}`;
  const why = badTimes(start, end);
  if (why) return why;
  const src = s(e.src_ip);
  const dst = s(e.dest_ip);
  if (!src || !dst) return 'no src_ip or dest_ip';
  const protoText = typeof e.proto === 'number' ? String(e.proto) : s(e.proto) ?? '';
  const proto = protoText === 'TCP' ? 6 : protoText === 'UDP' ? 17 : protoNumber(protoText);
  if (proto < 0) return `unknown proto ${protoText}`;
  const eth = obj(e.ether) !== undefined;
  const ip = (b: number, p: number) => (eth ? Math.max(0, b - 14 * p) : b);
  clearFacts(facts);
  facts.startMs = start;
  facts.endMs = end;
  facts.proto = proto;
  facts.src = src;
  facts.dst = dst;
  const tcp = obj(e.tcp);
  if (netflow) {
    const p = n(f.pkts) ?? 0;
    facts.pkts = p;
    facts.bytes = ip(n(f.bytes) ?? 0, p);
    if (proto === 6) facts.flags = tcpFlags(tcp, 'tcp_flags');
  } else {
    const p = n(f.pkts_toserver) ?? 0;
    const rp = n(f.pkts_toclient) ?? 0;
    facts.pkts = p;
    facts.bytes = ip(n(f.bytes_toserver) ?? 0, p);
    facts.rpkts = rp;
    facts.rbytes = ip(n(f.bytes_toclient) ?? 0, rp);
    if (proto === 6) {
      facts.flags = tcpFlags(tcp, 'tcp_flags_ts');
      facts.rflags = tcpFlags(tcp, 'tcp_flags_tc');
      const st = s(tcp?.state);
      // Suricata's own TCP states are not Zeek's: only the unanswered attempt maps cleanly
      if (rp === 0 && facts.flags !== undefined && facts.flags & 0x02 && !(facts.flags & 0x10)) facts.state = 'S0';
      else if (st === 'closed' && facts.flags !== undefined && facts.rflags !== undefined && facts.flags & 0x01 && facts.rflags & 0x01) facts.state = 'SF';
    }
  }
  if (proto === 1 || proto === 58) {
    facts.icmpType = n(e.icmp_type);
    facts.icmpCode = n(e.icmp_code);
  } else {
    facts.sport = n(e.src_port);
    facts.dport = n(e.dest_port);
  }
  const ether = obj(e.ether);
  if (ether) {
    const sm = s(ether.src_mac);
    const dm = s(ether.dest_mac);
    if (sm) facts.smac = sm.toLowerCase();
    if (dm) facts.dmac = dm.toLowerCase();
  }
  const vlan = Array.isArray(e.vlan) ? n(e.vlan[0]) : undefined;
  if (vlan) facts.vlan = vlan;
  const app = s(e.app_proto);
  if (app && app !== 'failed' && app !== 'unknown') facts.app = app === 'tls' || app === 'ssl' ? 'tls' : app;
  if (held?.dns) facts.dns = held.dns;
  if (held?.dhcp) facts.dhcp = held.dhcp;
  return undefined;
}

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push((i < 16 ? '0' : '') + i.toString(16));
const hex32 = (x: number): string => HEX2[x >>> 24] + HEX2[(x >>> 16) & 255] + HEX2[(x >>> 8) & 255] + HEX2[x & 255];

/** stableId(prefix + suffix), the prefix hashed once (for each length of the whole key, which the hash starts from) */
export class PrefixedIds {
  private readonly h1: number;
  private readonly h2ByLength = new Map<number, number>();
  constructor(private readonly prefix: string) {
    let h1 = 0x811c9dc5;
    for (let i = 0; i < prefix.length; i++) h1 = Math.imul(h1 ^ prefix.charCodeAt(i), 0x01000193);
    this.h1 = h1;
  }
  /** the two halves of the last id */
  private r1 = 0;
  private r2 = 0;
  id(suffix: string): string {
    this.hash(suffix);
    return hex32(this.r1) + hex32(this.r2);
  }
  /** id(suffix), its 16 hex digits written into a sink */
  write(o: TextSink, suffix: string): void {
    this.hash(suffix);
    o.hex32(this.r1);
    o.hex32(this.r2);
  }
  private hash(suffix: string): void {
    const p = this.prefix;
    const len = p.length + suffix.length;
    let h2 = this.h2ByLength.get(len);
    if (h2 === undefined) {
      h2 = 0x01000193 ^ len;
      for (let i = 0; i < p.length; i++) {
        h2 = Math.imul(h2 ^ p.charCodeAt(i), 0x5bd1e995);
        h2 ^= h2 >>> 15;
      }
      this.h2ByLength.set(len, h2);
    }
    let h1 = this.h1;
    for (let i = 0; i < suffix.length; i++) {
      const c = suffix.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    this.r1 = h1 >>> 0;
    this.r2 = h2 >>> 0;
  }
}

/** The id fir gives the flow of an event: Suricata's flow_id for a flow event; for a netflow event (one a direction) the flow_id and the direction's source; else the line. */
function eveId(e: Obj, src: string, source: string, line: number): string {
  if (e.flow_id === undefined) return stableId(`${source}:${line}`);
  if (e.event_type !== 'netflow') return eveFlowId(source, e.flow_id);
  return stableId(`${source}/suricata/${String(e.flow_id)}/${src}`);
}

/** A flow of a flow or netflow event, or the reason it is bad. */
export function eveFlow(e: Obj, source: string, line: number, held?: Held): Flow | string {
  const facts = blankFacts();
  const why = eveFacts(e, facts, held);
  if (why !== undefined) return why;
  const origin = `${source}:${line}`;
  const flow = makeFlow(facts, origin, origin, eveId(e, facts.src, source, line));
  const cid = s(e.community_id);
  if (cid) flow.community_id = cid;
  return flow;
}

/** A fir event of an alert event, or the reason it is bad. */
export function eveAlert(e: Obj, source: string, line: number): Event | string {
  const a = obj(e.alert);
  if (!a) return 'alert event without its alert object';
  const ts = s(e.timestamp);
  const t = ts ? parseDateTime(ts) : NaN;
  if (Number.isNaN(t)) return `bad time ${ts ?? '(missing)'}`;
  const src = s(e.src_ip);
  const dst = s(e.dest_ip);
  if (!src || !dst) return 'no src_ip or dest_ip';
  const signature = s(a.signature) ?? `signature ${String(a.signature_id ?? '?')}`;
  const category = s(a.category);
  const severity = n(a.severity);
  const proto = typeof e.proto === 'string' ? e.proto.toLowerCase() : undefined;
  const dport = n(e.dest_port);
  const sport = n(e.src_port);
  const iso = new Date(t).toISOString();
  const evidence: Event['evidence'] = { signature_id: a.signature_id, rev: a.rev, gid: a.gid, severity, action: s(a.action), category };
  for (const k of Object.keys(evidence)) if (evidence[k] === undefined) delete evidence[k];
  if (e.flow_id !== undefined) {
    evidence.flow_id = e.flow_id;
    evidence.flows = [eveFlowId(source, e.flow_id)];
  }
  const ev: Event = {
    kind: 'event',
    id: stableId(`${source}:${line}/alert`),
    start: iso,
    end: iso,
    method: 'IDS',
    submethod: category ? category.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '') || 'ALERT' : 'ALERT',
    title: signature,
    priority: (severity !== undefined ? SEVERITY[severity] : undefined) ?? 'info',
    src,
    targets: [dst],
    detail: `Suricata alert ${String(a.signature_id ?? '')}: ${signature}${category ? ` (${category})` : ''}, ${src}${sport !== undefined ? ':' + sport : ''} to ${dst}${dport !== undefined ? ':' + dport : ''}`,
    evidence,
  };
  if (dport !== undefined) ev.ports = [dport];
  if (proto) ev.proto = proto === 'ipv6-icmp' ? 'icmp6' : proto;
  ev.origin = `${source}:${line}`;
  return ev;
}

/** What the lines before decide for an event: the DNS and DHCP facts held for flows still to end (by flow_id, oldest first). */
interface EveState {
  held: Map<string, Held>;
}

const eveStart = (): EveState => ({ held: new Map() });

const FACTS = blankFacts();

type FlowOut = (facts: FlowFacts, e: Obj, line: number) => void;

/**
 * One eve.json line, text[from, to): a flow event to `flow` (its facts), an alert to `alert`,
 * DNS and DHCP held for their flow, a bad line reported.
 */
function eveLine(held: Map<string, Held>, text: string, from: number, to: number, ll: number, ctx: ReadContext, flow: FlowOut, alert: (ev: Event) => void): void {
  if (to === from) return;
  let e: Obj;
  const t = from === 0 && to === text.length ? text : text.slice(from, to);
  try {
    e = JSON.parse(t) as Obj;
  } catch (err) {
    ctx.diag.skip(ctx.source, ll, `not JSON (${(err as Error).message.slice(0, 80)})`);
    return;
  }
  if (!e || typeof e !== 'object' || Array.isArray(e)) {
    ctx.diag.skip(ctx.source, ll, 'not a JSON object');
    return;
  }
  const facts = FACTS;
  const type = e.event_type;
  if (type === 'flow' || type === 'netflow') {
    const key = held.size && e.flow_id !== undefined ? String(e.flow_id) : undefined;
    const h = key !== undefined ? held.get(key) : undefined;
    if (h && type === 'flow') held.delete(key!);
    const why = eveFacts(e, facts, h);
    if (why !== undefined) ctx.diag.skip(ctx.source, ll, why);
    else flow(facts, e, ll);
  } else if (type === 'dns' || type === 'dhcp') {
    const d = obj(e[type]);
    if (!d || e.flow_id === undefined) return;
    const key = String(e.flow_id);
    let h = held.get(key);
    if (!h) {
      if (held.size >= HOLD_LIMIT) held.delete(held.keys().next().value as string);
      h = {};
      held.set(key, h);
    }
    if (type === 'dns') {
      const info = eveDns(d);
      // the answer carries the rcode and answers; the query only the name
      h.dns = { ...h.dns, ...info, ...(h.dns?.answers && info.answers ? { answers: [...new Set([...h.dns.answers, ...info.answers])] } : {}) };
    } else {
      const info = eveDhcp(d);
      // keep the server's reply (offer/ack) over the client's request
      if (!h.dhcp || d.type === 'reply') h.dhcp = { ...h.dhcp, ...info };
    }
  } else if (type === 'alert') {
    const r = eveAlert(e, ctx.source, ll);
    if (typeof r === 'string') ctx.diag.skip(ctx.source, ll, r);
    else alert(r);
  } else if (typeof type !== 'string') {
    ctx.diag.skip(ctx.source, ll, 'no event_type');
  }
  // other event types (http, tls, fileinfo, stats, anomaly, …) are not flows
}

/** The records of a batch of eve.json lines, each flow event to `flow` (its facts), each alert to `alert`, bad ones reported. */
function eveLines(st: EveState, lines: string[], first: number, ctx: ReadContext, flow: FlowOut, alert: (ev: Event) => void): EveState {
  for (let k = 0; k < lines.length; k++) eveLine(st.held, lines[k], 0, lines[k].length, first + k, ctx, flow, alert);
  return st;
}

/** eveLines of the lines of a chunk's text (as splitLines cuts them), read in place. */
function eveText(st: EveState, text: string, first: number, ctx: ReadContext, flow: FlowOut, alert: (ev: Event) => void): EveState {
  const n = text.length;
  let from = 0;
  let ll = first;
  while (from < n) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = n;
    const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    eveLine(st.held, text, from, end, ll++, ctx, flow, alert);
    from = nl + 1;
  }
  return st;
}

/** The records of an eve.json stream, each flow event to `flow` (its facts), each alert to `alert`, bad ones reported; one yield a batch of lines. */
async function* events(input: Readable, ctx: ReadContext, flow: (facts: FlowFacts, e: Obj, line: number) => void, alert: (ev: Event) => void): AsyncGenerator<void> {
  const st = eveStart();
  for await (const batch of lineBatches(input)) {
    eveLines(st, batch.lines, batch.first, ctx, flow, alert);
    yield;
  }
}

/** eveId of the event and source address set last, written as bytes (the source's part of the flow_id keys hashed once) */
class EveIds implements LineIds {
  e: Obj = {};
  src = '';
  private readonly ids: PrefixedIds;
  constructor(private readonly source: string) {
    this.ids = new PrefixedIds(`${source}/suricata/`);
  }
  writeLine(o: TextSink, line: number): void {
    const e = this.e;
    if (e.flow_id === undefined) o.ascii(stableId(`${this.source}:${line}`));
    else if (e.event_type !== 'netflow') this.ids.write(o, String(e.flow_id));
    else this.ids.write(o, `${String(e.flow_id)}/${this.src}`);
  }
}

/** The NDJSON line writers of a source's flows and alerts into a sink. */
function textWriters(source: string, sink: () => TextSink): { flow: (facts: FlowFacts, e: Obj, ll: number) => void; alert: (ev: Event) => void } {
  const originHead = Buffer.from(JSON.stringify(`${source}:`).slice(0, -1), 'utf8');
  const ids = new EveIds(source);
  return {
    flow: (facts, e, ll) => {
      ids.e = e;
      ids.src = facts.src;
      writeRowLine(sink(), facts, originHead, ll, ids, s(e.community_id));
    },
    alert: (ev) => sink().line(JSON.stringify(ev)),
  };
}

let chunkWriters: { source: string; sink: TextSink; w: ReturnType<typeof textWriters> } | undefined;

/** eve.json chunk by chunk (text-parallel.ts): parallel while no DNS or DHCP event is held for a flow to come */
export const suricataChunks: ChunkReader<EveState> = {
  start: eveStart,
  key: (st) => (st.held.size ? JSON.stringify([...st.held]) : ''),
  text(state, text, first, out) {
    if (!chunkWriters || chunkWriters.source !== out.ctx.source) {
      const c = { source: out.ctx.source, sink: out.sink, w: undefined as unknown as ReturnType<typeof textWriters> };
      c.w = textWriters(out.ctx.source, () => c.sink);
      chunkWriters = c;
    }
    chunkWriters.sink = out.sink;
    return eveText(state, text, first, out.ctx, chunkWriters.w.flow, chunkWriters.w.alert);
  },
};

async function* read(input: Readable, ctx: ReadContext): AsyncGenerator<(Flow | Event)[]> {
  let out: (Flow | Event)[] = [];
  const flow = (facts: FlowFacts, e: Obj, ll: number) => {
    const origin = `${ctx.source}:${ll}`;
    const f = makeFlow(facts, origin, origin, eveId(e, facts.src, ctx.source, ll));
    const cid = s(e.community_id);
    if (cid) f.community_id = cid;
    out.push(f);
  };
  for await (const _ of events(input, ctx, flow, (ev) => out.push(ev))) {
    if (out.length) yield out;
    out = [];
  }
}

async function* pairFlowsOnly(batches: AsyncIterable<(Flow | Event)[]>, biflow: boolean): AsyncGenerator<(Flow | Event)[]> {
  if (!biflow) {
    yield* batches;
    return;
  }
  // alerts pass straight through; flows go through the pairer
  const events: Event[] = [];
  async function* flowsOnly(): AsyncGenerator<Flow[]> {
    for await (const b of batches) {
      const flows: Flow[] = [];
      for (const r of b) (r.kind === 'event' ? events : flows).push(r as never);
      yield flows;
    }
  }
  for await (const b of pairBatches(flowsOnly(), true)) {
    const out: (Flow | Event)[] = events.splice(0, events.length);
    for (const f of b) out.push(f);
    if (out.length) yield out;
  }
  if (events.length) yield events.splice(0, events.length);
}

export const suricataEve: FormatReader = {
  name: 'suricata',
  describe: 'Suricata eve.json: flow and netflow events as flows, dns/dhcp joined by flow_id, alerts as IDS events',
  sniff: sniffEve,
  read: (input, ctx) => pairFlowsOnly(read(input, ctx), ctx.options.biflow === true),
  // without --biflow the records are written as text directly (the pairer needs objects)
  readText: (input, ctx) => (ctx.options.biflow === true ? asText(pairFlowsOnly(read(input, ctx), true)) : chunkedText('suricata', suricataChunks as ChunkReader<unknown>, input, ctx)),
};
