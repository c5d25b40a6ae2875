// The HTML incident report as a pure function of the records: one self-contained page (inline
// CSS and SVG, no script, a CSP that forbids every fetch) with the events by priority, the
// timeline, one section per actor (its story, charts of its traffic, its peers), every
// event's fields with its related flows. Ordering and stories come from the timeline and
// story modules, the per-host binning from the flows module; every string from the input is
// escaped by esc().
import { HostProfiler, type HostProfile } from '../../core/flows.js';
import { buildStories, describeTargets, storyEvent, type Story, type StoryEvent } from '../../core/story.js';
import { orderTimeline, timelineItem, timelineRow, type TimelineItem } from '../../core/timeline.js';
import { PRIORITIES, timeMs } from '../../record.js';
import { humanBytes, humanCount, humanDuration } from '../../render/human.js';
import { chooseBinMs, trafficChart, type ChartMark } from './chart.js';
import { esc, link, safeUrl } from './escape.js';
import { CSS, PRIORITY_COLORS } from './style.js';

type Rec = Record<string, any>;

export interface ReportInput {
  /** events in input order (each with a valid start time) */
  events: Rec[];
  /** every flow given (input and --flows files), in input order */
  flows: Rec[];
  /** records that are neither events nor flows (counted, not shown) */
  others: number;
  /** when the report was made, ISO */
  generatedAt: string;
  title: string;
  /** the inputs, as named on the command line (stdin as `stdin`) */
  sources: string[];
  version: string;
}

/** The Content-Security-Policy of the page: nothing may be fetched, no script may run. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Rows shown of a long list before the rest is folded into a <details>. */
const FOLD = 12;
/** Actors (with charts) shown; the rest are listed by name with their event counts. */
const MAX_ACTORS = 40;
/** Peers listed per actor. */
const TOP_PEERS = 5;

function fmtTime(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

function fmtIso(v: unknown): string {
  const ms = timeMs(v);
  return Number.isNaN(ms) ? esc(v) : fmtTime(ms);
}

function badge(p: unknown): string {
  const c = typeof p === 'string' ? PRIORITY_COLORS[p] : undefined;
  return c ? `<span class="badge" style="--c:${c}">${esc(p)}</span>` : `<span class="badge none">${esc(p ?? 'none')}</span>`;
}

function attackText(a: unknown): string {
  if (!a || typeof a !== 'object') return '';
  const o = a as Rec;
  return [o.tactic, o.technique].filter((x) => typeof x === 'string' && x).map(esc).join(' · ');
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function endpoint(ip: unknown, port: unknown): string {
  if (typeof ip !== 'string') return '';
  if (typeof port !== 'number') return esc(ip);
  return ip.includes(':') ? `[${esc(ip)}]:${port}` : `${esc(ip)}:${port}`;
}

/** A value of any shape for people: scalars as text, lists folded, objects as nested tables. */
export function renderValue(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '<span class="muted">—</span>';
  if (typeof v === 'string') return safeUrl(v) ? link(v) : `<span class="wrap">${esc(v)}</span>`;
  if (typeof v === 'number' || typeof v === 'boolean') return esc(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '<span class="muted">none</span>';
    if (v.every((x) => x === null || typeof x !== 'object')) {
      const shown = v.slice(0, FOLD).map((x) => esc(x)).join(', ');
      if (v.length <= FOLD) return `<span class="wrap">${shown}</span>`;
      return `<span class="wrap">${shown}, …</span> <details><summary>all ${v.length}</summary><div class="wrap small">${v.map((x) => esc(x)).join(', ')}</div></details>`;
    }
    if (depth >= 3) return `<code class="wrap">${esc(JSON.stringify(v))}</code>`;
    const table = objectTable(v, depth + 1);
    return v.length <= FOLD ? table : `<details><summary>${v.length} entries</summary>${table}</details>`;
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v as Rec);
    if (keys.length === 1 && keys[0] === 'url' && safeUrl((v as Rec).url)) return `<span class="wrap">${link((v as Rec).url)}</span>`;
    if (depth >= 3) return `<code class="wrap">${esc(JSON.stringify(v))}</code>`;
    return kvTable(Object.entries(v as Rec), depth + 1);
  }
  return esc(String(v));
}

function kvTable(entries: [string, unknown][], depth: number): string {
  if (entries.length === 0) return '<span class="muted">none</span>';
  return `<table class="kv">${entries.map(([k, x]) => `<tr><th class="mono">${esc(k)}</th><td>${renderValue(x, depth)}</td></tr>`).join('')}</table>`;
}

/** A list of objects as one table, the columns the union of their keys in first-seen order. */
function objectTable(list: unknown[], depth: number): string {
  const cols: string[] = [];
  for (const o of list) if (o && typeof o === 'object' && !Array.isArray(o)) for (const k of Object.keys(o)) if (!cols.includes(k)) cols.push(k);
  if (cols.length === 0 || cols.length > 12) return `<code class="wrap">${esc(JSON.stringify(list))}</code>`;
  const rows = list.map((o) => {
    const r = o && typeof o === 'object' && !Array.isArray(o) ? (o as Rec) : {};
    return `<tr>${cols.map((c) => `<td>${r[c] === undefined ? '' : renderValue(r[c], depth)}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${cols.map((c) => `<th class="mono">${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The names a flow carries from the network (DNS, DHCP, ARP): attacker-controlled text. */
function flowNames(f: Rec): string {
  const parts: string[] = [];
  if (f.dns && typeof f.dns === 'object') {
    if (f.dns.qname !== undefined) parts.push(`${esc(f.dns.qname)}${typeof f.dns.qtype === 'string' ? ` ${esc(f.dns.qtype)}` : ''}${typeof f.dns.rcode === 'string' ? ` ${esc(f.dns.rcode)}` : ''}`);
    const ans = strings(f.dns.answers);
    if (ans.length) parts[parts.length - 1] = `${parts[parts.length - 1] ?? ''} → ${ans.slice(0, 4).map(esc).join(', ')}${ans.length > 4 ? ` (+${ans.length - 4})` : ''}`;
  }
  if (f.dhcp && typeof f.dhcp === 'object') {
    const d = f.dhcp as Rec;
    const bits = [d.msg, d.hostname !== undefined ? `host ${typeof d.hostname === 'string' ? d.hostname : JSON.stringify(d.hostname)}` : undefined, d.yiaddr !== undefined ? `lease ${d.yiaddr}` : undefined].filter((x) => x !== undefined);
    parts.push(bits.map(esc).join(', '));
  }
  if (f.arp && typeof f.arp === 'object') parts.push(`${esc(f.arp.op)} ${esc(f.arp.spa)} → ${esc(f.arp.tpa)}`);
  return parts.join('<br>');
}

const FLOW_HEAD = `<thead><tr><th>start (UTC)</th><th class="num">duration</th><th>proto</th><th>source</th><th>destination</th><th>app: names seen</th><th class="num" title="packets / bytes from the source">sent</th><th class="num" title="packets / bytes back to the source">received</th><th>state flags</th><th>flow id</th></tr></thead>`;

function num(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? esc(v) : '';
}

function pair(p: unknown, b: unknown): string {
  if (typeof p !== 'number' && typeof b !== 'number') return '';
  return `${num(p) || '-'} / ${num(b) || '-'}`;
}

function flowRow(f: Rec): string {
  const d = timeMs(f.end) - timeMs(f.start);
  const flags = [f.state, f.flags !== undefined || f.rflags !== undefined ? `${f.flags ?? '-'}/${f.rflags ?? '-'}` : undefined].filter((x) => x !== undefined).map(esc).join(' ');
  const names = flowNames(f);
  const app = f.app !== undefined ? `<b>${esc(f.app)}</b>` : '';
  return `<tr><td class="time small">${fmtIso(f.start)}</td><td class="num">${d >= 0 ? esc(humanDuration(d)) : ''}</td><td>${esc(f.proto)}</td><td class="mono ip">${endpoint(f.src, f.sport)}</td><td class="mono ip">${endpoint(f.dst, f.dport)}</td><td class="wrap names">${[app, names].filter(Boolean).join(': ')}</td><td class="num">${pair(f.pkts, f.bytes)}</td><td class="num">${pair(f.rpkts, f.rbytes)}</td><td class="mono small">${flags}</td><td class="mono small fid">${esc(f.id)}</td></tr>`;
}

/** Fields of an event shown in their own place; the rest are listed under "other fields". */
const SHOWN = new Set(['kind', 'id', 'start', 'end', 'method', 'submethod', 'title', 'priority', 'src', 'targets', 'target_count', 'ports', 'port_count', 'proto', 'detail', 'evidence', 'attack', 'src_mac', 'src_host', 'src_host_at_detection', 'src_user', 'cmdb', 'target_info']);

interface Numbered {
  ev: Rec;
  /** E1, E2, … in priority order */
  n: number;
}

export function renderReport(input: ReportInput): string {
  const events = input.events;
  const items = events.map((e, i) => timelineItem(e, '', i, 'src')).filter((x): x is TimelineItem => typeof x !== 'string');
  const byPriority = orderTimeline(items, { sort: 'priority' });
  const byTime = orderTimeline(items, { sort: 'time' });
  const numbered: Numbered[] = byPriority.map((it, i) => ({ ev: events[it.seq], n: i + 1 }));
  const numberOfSeq = new Map<number, number>();
  byPriority.forEach((it, i) => numberOfSeq.set(it.seq, i + 1));
  const numberOfId = new Map<string, number>();
  for (const { ev, n } of numbered) if (typeof ev.id === 'string' && !numberOfId.has(ev.id)) numberOfId.set(ev.id, n);
  const evLink = (n: number | undefined) => (n === undefined ? '' : `<a class="ev" href="#ev-${n}">E${n}</a>`);

  const storyEvents = events.map((e, i) => storyEvent(e, i)).filter((x): x is StoryEvent => x !== undefined);
  const stories = buildStories(storyEvents);

  // the span of everything in the report, and the bin width shared by all charts
  let lo = Infinity;
  let hi = -Infinity;
  const widen = (r: Rec) => {
    const s = timeMs(r.start);
    const e = timeMs(r.end);
    if (!Number.isNaN(s)) (lo = Math.min(lo, s)), (hi = Math.max(hi, s));
    if (!Number.isNaN(e)) hi = Math.max(hi, e);
  };
  for (const e of events) widen(e);
  for (const f of input.flows) widen(f);
  const hasSpan = lo <= hi;
  const binMs = chooseBinMs(hasSpan ? hi - lo : 0);
  const axisFrom = hasSpan ? Math.floor(lo / binMs) * binMs : 0;
  const axisTo = hasSpan ? Math.ceil((hi + 1) / binMs) * binMs : 0;

  const shownStories = stories.slice(0, MAX_ACTORS);
  const profiles = new Map<string, HostProfile>();
  if (input.flows.length) {
    const byHost = new Map<string, HostProfiler>();
    for (const s of shownStories) byHost.set(s.actor, new HostProfiler({ host: s.actor, limit: 0, top: TOP_PEERS, order: 'bytes', binMs }));
    for (const f of input.flows) {
      const a = typeof f.src === 'string' ? byHost.get(f.src) : undefined;
      if (a) a.add(f, '');
      const b = typeof f.dst === 'string' && f.dst !== f.src ? byHost.get(f.dst) : undefined;
      if (b) b.add(f, '');
    }
    for (const [h, p] of byHost) profiles.set(h, p.result());
  }

  const counts = new Map<string, number>();
  for (const e of events) counts.set(String(e.priority), (counts.get(String(e.priority)) ?? 0) + 1);
  const flowsById = new Map<string, Rec>();
  for (const f of input.flows) if (typeof f.id === 'string' && !flowsById.has(f.id)) flowsById.set(f.id, f);

  const o: string[] = [];
  o.push('<!DOCTYPE html>');
  o.push('<html lang="en"><head><meta charset="utf-8">');
  o.push(`<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">`);
  o.push('<meta name="referrer" content="no-referrer">');
  o.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  o.push(`<meta name="generator" content="fir ${esc(input.version)}">`);
  o.push(`<title>${esc(input.title)}</title>`);
  o.push(`<style>${CSS}</style></head><body>`);

  // header: what, when, how much
  const spanText = hasSpan ? `${fmtTime(lo)} → ${fmtTime(hi)} UTC (${humanDuration(hi - lo)})` : 'no timed records';
  o.push('<header class="report"><div class="inner">');
  o.push(`<h1>${esc(input.title)}</h1>`);
  o.push(`<div class="sub">Activity ${esc(spanText)} · generated ${esc(fmtIso(input.generatedAt))} UTC by fir ${esc(input.version)}</div>`);
  o.push('<div class="facts">');
  o.push(`<div class="fact"><span class="n">${events.length}</span><span class="l">events</span></div>`);
  for (const p of PRIORITIES) {
    const c = counts.get(p) ?? 0;
    o.push(`<div class="fact prio${c ? '' : ' zero'}" style="--c:${PRIORITY_COLORS[p]}"><span class="n">${c}</span><span class="l">${p}</span></div>`);
  }
  o.push(`<div class="fact"><span class="n">${stories.length}</span><span class="l">actors</span></div>`);
  o.push(`<div class="fact"><span class="n">${esc(humanCount(input.flows.length))}</span><span class="l">flows</span></div>`);
  o.push('</div>');
  o.push('<nav class="toc"><a href="#events">Events by priority</a><a href="#timeline">Timeline</a><a href="#actors">Actors</a><a href="#details">Event details</a></nav>');
  o.push('</div></header><main>');

  // events by priority
  o.push('<section class="card" id="events"><h2>Events by priority</h2>');
  o.push('<p class="lead">Most severe first, then by time. The number links to the event’s details.</p>');
  if (numbered.length === 0) o.push('<p>No events in the input.</p>');
  else {
    o.push('<table class="events"><thead><tr><th>#</th><th>priority</th><th>start (UTC)</th><th class="num">duration</th><th>detection</th><th>source</th><th>targets</th><th>ATT&amp;CK</th></tr></thead><tbody>');
    for (const { ev, n } of numbered) {
      const d = timeMs(ev.end) - timeMs(ev.start);
      const host = ev.src_host !== undefined ? `<div class="small muted wrap">${esc(ev.src_host)}</div>` : '';
      const targets = describeTargets(strings(ev.targets), typeof ev.target_count === 'number' ? ev.target_count : undefined);
      o.push(`<tr class="event-row"><td>${evLink(n)}</td><td>${badge(ev.priority)}</td><td class="time">${fmtIso(ev.start)}</td><td class="num">${d >= 0 ? esc(humanDuration(d)) : ''}</td><td><div class="wrap">${esc(ev.title ?? ev.method)}</div><div class="small muted mono">${esc(ev.method)}/${esc(ev.submethod)}</div></td><td><span class="mono ip">${esc(ev.src)}</span>${host}</td><td class="wrap">${esc(targets)}</td><td class="small">${attackText(ev.attack)}</td></tr>`);
    }
    o.push('</tbody></table>');
  }
  o.push('</section>');

  // timeline
  o.push('<section class="card" id="timeline"><h2>Timeline</h2>');
  o.push('<p class="lead">Every event in the order it started.</p>');
  if (byTime.length === 0) o.push('<p>No events in the input.</p>');
  else {
    o.push('<table class="timeline"><thead><tr><th>time (UTC)</th><th class="num">duration</th><th>priority</th><th>what</th><th>source</th><th>targets</th><th>detail</th><th>#</th></tr></thead><tbody>');
    for (const it of byTime) {
      const row = timelineRow(events[it.seq]);
      o.push(`<tr><td class="time">${fmtIso(row.time)}</td><td class="num">${esc(humanDuration(row.duration))}</td><td>${badge(row.priority)}</td><td class="mono small">${esc(row.what)}</td><td class="mono ip">${esc(row.src)}</td><td class="wrap small">${esc(row.targets)}</td><td class="wrap">${esc(row.detail)}</td><td>${evLink(numberOfSeq.get(it.seq))}</td></tr>`);
    }
    o.push('</tbody></table>');
  }
  o.push('</section>');

  // actors
  o.push('<section class="card" id="actors"><h2>Actors</h2>');
  o.push(`<p class="lead">What each actor did, in order, and its traffic over time${input.flows.length ? '' : ' (no flows in the input: give them on stdin with the events or with --flows FILE for the charts)'}. Shaded bands mark the actor’s events in their priority colour.</p>`);
  if (stories.length === 0) o.push('<p>No actors.</p>');
  for (const s of shownStories) o.push(actorSection(s, profiles.get(s.actor), numberOfId, evLink, { binMs, from: axisFrom, to: axisTo }, events));
  if (stories.length > MAX_ACTORS) {
    const rest = stories.slice(MAX_ACTORS).map((s) => `${esc(s.actor)} (${s.steps.length})`);
    o.push(`<p class="note">${stories.length - MAX_ACTORS} more actors, without charts: ${rest.join(', ')}.</p>`);
  }
  o.push('</section>');

  // details
  o.push('<section class="card" id="details"><h2>Event details</h2>');
  o.push('<p class="lead">Every field of every event, its evidence, the context added by fir enrich, and the flows the evidence names.</p>');
  if (numbered.length === 0) o.push('<p>No events in the input.</p>');
  for (const { ev, n } of numbered) o.push(eventDetail(ev, n, flowsById));
  o.push('</section>');

  const srcs = input.sources.map((s) => `<span class="mono">${esc(s)}</span>`).join(', ');
  o.push(`<footer class="report">Made by fir ${esc(input.version)} from ${srcs || 'stdin'}: ${events.length} events, ${input.flows.length} flows${input.others ? `, ${input.others} other records not shown` : ''}. Self-contained page: nothing is fetched, no script runs.</footer>`);
  o.push('</main></body></html>');
  return o.join('\n') + '\n';
}

interface Axis {
  binMs: number;
  from: number;
  to: number;
}

function actorSection(s: Story, prof: HostProfile | undefined, numberOfId: Map<string, number>, evLink: (n: number | undefined) => string, axis: Axis, events: Rec[]): string {
  const o: string[] = [];
  const hosts = new Set<string>();
  for (const e of events) if (e.src === s.actor && typeof e.src_host === 'string') hosts.add(e.src_host);
  const hostText = hosts.size ? ` <span class="muted small wrap">${[...hosts].slice(0, 3).map(esc).join(', ')}</span>` : '';
  o.push(`<div class="actor"><h3><span class="mono">${esc(s.actor)}</span>${hostText}</h3>`);
  o.push(`<div class="story">${esc(s.text)}</div>`);
  o.push('<table><thead><tr><th>time (UTC)</th><th>priority</th><th>step</th><th>tactic</th><th>technique</th><th>#</th></tr></thead><tbody>');
  for (const st of s.steps) {
    o.push(`<tr><td class="time">${fmtIso(st.time)}</td><td>${badge(st.priority)}</td><td class="wrap">${esc(st.sentence)}</td><td>${esc(st.tactic)}</td><td class="mono">${esc(st.technique)}</td><td>${evLink(st.event !== undefined ? numberOfId.get(st.event) : undefined)}</td></tr>`);
  }
  o.push('</tbody></table>');
  if (prof && prof.flowCount > 0) {
    const marks: ChartMark[] = s.steps.map((st) => ({ start: timeMs(st.time), end: timeMs(st.end), priority: st.priority ?? 'info', label: `${st.method}/${st.submethod}: ${st.sentence}` }));
    const bins = prof.bins.map((b) => ({ t: timeMs(b.start), bytes: b.bytes, flows: b.flows }));
    o.push('<div class="charts">');
    o.push(`<div class="chart">${trafficChart({ title: `${s.actor}: bytes (both directions)`, unit: 'bytes', bins: bins.map((b) => ({ t: b.t, value: b.bytes })), binMs: prof.binMs, from: axis.from, to: axis.to, marks })}</div>`);
    o.push(`<div class="chart">${trafficChart({ title: `${s.actor}: flows started`, unit: 'flows', bins: bins.map((b) => ({ t: b.t, value: b.flows })), binMs: prof.binMs, from: axis.from, to: axis.to, marks })}</div>`);
    o.push('</div>');
    const used = [...new Set(s.steps.map((st) => st.priority ?? 'info'))].sort((a, b) => PRIORITIES.indexOf(a as never) - PRIORITIES.indexOf(b as never));
    o.push(`<p class="legend">${esc(humanCount(prof.flowCount))} flows, ${esc(humanBytes(prof.total.bytes))} in ${esc(humanDuration(prof.binMs))} bins; bands:${used.map((p) => `<i style="--c:${PRIORITY_COLORS[p] ?? PRIORITY_COLORS.info}"></i>${esc(p)}`).join('')}</p>`);
    if (prof.peers.length) {
      o.push('<h4>Top peers by bytes</h4><table><thead><tr><th>peer</th><th class="num">flows</th><th class="num">packets</th><th class="num">bytes</th><th>first seen</th><th>last seen</th></tr></thead><tbody>');
      for (const p of prof.peers) o.push(`<tr><td class="mono">${esc(p.key)}</td><td class="num">${num(p.flows)}</td><td class="num">${num(p.pkts)}</td><td class="num">${esc(humanBytes(p.bytes))}</td><td class="time">${fmtIso(p.start)}</td><td class="time">${fmtIso(p.end)}</td></tr>`);
      o.push('</tbody></table>');
    }
  } else if (prof) o.push('<p class="note">No flows of this actor in the input.</p>');
  o.push('</div>');
  return o.join('\n');
}

function eventDetail(ev: Rec, n: number, flowsById: Map<string, Rec>): string {
  const c = PRIORITY_COLORS[String(ev.priority)] ?? '#98a2b3';
  const o: string[] = [];
  o.push(`<article class="event" id="ev-${n}" style="--c:${c}">`);
  o.push(`<h3>${badge(ev.priority)}<span>E${n} · ${esc(ev.title ?? ev.method)}</span><span class="mono small muted">${esc(ev.method)}/${esc(ev.submethod)}</span></h3>`);
  if (ev.detail !== undefined) o.push(`<p class="detail wrap">${esc(ev.detail)}</p>`);
  const d = timeMs(ev.end) - timeMs(ev.start);
  const facts: [string, string][] = [
    ['start', `${fmtIso(ev.start)} UTC`],
    ['end', `${fmtIso(ev.end)} UTC${d >= 0 ? ` <span class="muted">(${esc(humanDuration(d))})</span>` : ''}`],
    ['source', `<span class="mono">${esc(ev.src)}</span>`],
  ];
  const targets = strings(ev.targets);
  const tcount = typeof ev.target_count === 'number' ? ev.target_count : targets.length;
  facts.push(['targets', `${renderValue(targets)}${tcount > targets.length ? ` <span class="muted">(${tcount} in all; the list is cut)</span>` : ''}`]);
  if (ev.ports !== undefined) facts.push(['ports', `${renderValue(ev.ports)}${typeof ev.port_count === 'number' ? ` <span class="muted">(${ev.port_count} in all)</span>` : ''}`]);
  if (ev.proto !== undefined) facts.push(['protocol', esc(ev.proto)]);
  if (ev.attack !== undefined) facts.push(['ATT&amp;CK', renderValue(ev.attack)]);
  facts.push(['event id', `<span class="mono">${esc(ev.id)}</span>`]);
  const ctx: [string, string][] = [];
  if (ev.src_host !== undefined) ctx.push(['host name (latest)', renderValue(ev.src_host)]);
  if (ev.src_host_at_detection !== undefined) ctx.push(['host name at detection', renderValue(ev.src_host_at_detection)]);
  if (ev.src_mac !== undefined) ctx.push(['MAC address', `<span class="mono">${esc(ev.src_mac)}</span>`]);
  if (ev.src_user !== undefined) ctx.push(['user', renderValue(ev.src_user)]);
  if (ev.cmdb !== undefined) ctx.push(['CMDB', renderValue(ev.cmdb)]);
  o.push('<div class="grid2">');
  o.push(`<div><h4>Event</h4><table class="kv">${facts.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table></div>`);
  o.push(`<div><h4>Source context</h4>${ctx.length ? `<table class="kv">${ctx.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>` : '<p class="note">No context added (run fir enrich for host names, MAC, user and CMDB).</p>'}</div>`);
  o.push('</div>');
  if (ev.target_info !== undefined) o.push(`<h4>Targets in context</h4>${renderValue(ev.target_info)}`);
  const evidence = ev.evidence && typeof ev.evidence === 'object' && !Array.isArray(ev.evidence) ? (ev.evidence as Rec) : undefined;
  if (evidence) {
    const rest = Object.entries(evidence).filter(([k]) => k !== 'flows');
    o.push(`<h4>Evidence</h4>${rest.length ? kvTable(rest, 1) : '<p class="note">No figures.</p>'}`);
  } else if (ev.evidence !== undefined) o.push(`<h4>Evidence</h4>${renderValue(ev.evidence)}`);
  const other = Object.entries(ev).filter(([k]) => !SHOWN.has(k));
  if (other.length) o.push(`<h4>Other fields</h4>${kvTable(other, 1)}`);
  const ids = evidence ? strings(evidence.flows) : [];
  o.push(`<h4>Related flows (${ids.length})</h4>`);
  if (ids.length === 0) o.push('<p class="note">The evidence names no flows.</p>');
  else {
    const found = ids.map((id) => flowsById.get(id)).filter((f): f is Rec => f !== undefined).sort((a, b) => (timeMs(a.start) || 0) - (timeMs(b.start) || 0));
    const missing = ids.filter((id) => !flowsById.has(id));
    if (found.length) o.push(`<div class="scroll"><table class="flows">${FLOW_HEAD}<tbody>${found.map(flowRow).join('')}</tbody></table></div>`);
    if (missing.length) o.push(`<p class="note">${missing.length} of the ${ids.length} flows named by the evidence are not in the input (give the flow file with --flows FILE): <span class="mono wrap">${missing.slice(0, FOLD).map(esc).join(', ')}${missing.length > FOLD ? ', …' : ''}</span></p>`);
  }
  o.push('</article>');
  return o.join('\n');
}
