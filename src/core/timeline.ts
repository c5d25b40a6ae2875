// The timeline: events (and flows) in time order, optionally grouped by actor or ordered for
// triage. It must hold its input to sort, so each record is kept as its raw line plus the sort
// keys only (no parsed object), and NDJSON output writes those raw lines back unchanged.
import { priorityRank, timeMs } from '../record.js';

export type TimelineSort = 'time' | 'priority';
export type TimelineGroup = 'src' | 'method' | undefined;

/** One held record: the line as it came and what sorting needs. */
export interface TimelineItem {
  raw: string;
  start: number;
  end: number;
  /** priority rank (critical 4 … info 0; flows and others -1) */
  rank: number;
  /** the grouping value (actor or method), '' when absent */
  group: string;
  /** input order, so equal keys keep it */
  seq: number;
}

export interface TimelineOptions {
  sort?: TimelineSort;
  by?: TimelineGroup;
}

/**
 * Keep one parsed record: returns the item, or a message saying why it cannot be placed on
 * the timeline (the adapter reports it with source:line).
 */
export function timelineItem(rec: Record<string, unknown>, raw: string, seq: number, by: TimelineGroup): TimelineItem | string {
  const start = timeMs(rec.start);
  if (Number.isNaN(start)) return rec.start === undefined ? 'no start time: not an event or flow' : 'start is not an ISO 8601 time';
  let end = timeMs(rec.end);
  if (Number.isNaN(end)) end = start;
  const rank = typeof rec.priority === 'string' ? priorityRank(rec.priority) : -1;
  const g = by === 'method' ? rec.method : by === 'src' ? rec.src : undefined;
  return { raw, start, end, rank, group: typeof g === 'string' ? g : '', seq };
}

function byTime(a: TimelineItem, b: TimelineItem): number {
  return a.start - b.start || a.end - b.end || a.seq - b.seq;
}

function byPriority(a: TimelineItem, b: TimelineItem): number {
  return b.rank - a.rank || a.start - b.start || a.end - b.end || a.seq - b.seq;
}

/**
 * Order the held records: by start, then end, then input order (or most severe first with
 * `sort: priority`); with `by`, records of one group stay together and groups come in the
 * order of their first record in that ordering.
 */
export function orderTimeline(items: TimelineItem[], opts: TimelineOptions = {}): TimelineItem[] {
  const sorted = items.slice().sort(opts.sort === 'priority' ? byPriority : byTime);
  if (!opts.by) return sorted;
  const groups = new Map<string, TimelineItem[]>();
  for (const it of sorted) {
    let g = groups.get(it.group);
    if (!g) groups.set(it.group, (g = []));
    g.push(it);
  }
  const out: TimelineItem[] = [];
  for (const g of groups.values()) for (const it of g) out.push(it);
  return out;
}

/** The cells of one record in the timeline table (and the text view). */
export interface TimelineRow {
  time: string;
  duration: number;
  priority: string;
  what: string;
  src: string;
  targets: string;
  detail: string;
}

const MAX_TARGETS_SHOWN = 4;

/** How a record reads in one row: an event's method and detail, a flow's endpoints and counts. */
export function timelineRow(rec: Record<string, any>): TimelineRow {
  const start = typeof rec.start === 'string' ? rec.start : '';
  const duration = Math.max(0, timeMs(rec.end) - timeMs(rec.start)) || 0;
  if (rec.kind === 'flow') {
    const ep = (ip: unknown, port: unknown) => (typeof ip === 'string' ? (typeof port === 'number' ? (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`) : ip) : '');
    const parts: string[] = [];
    parts.push(`${num(rec.pkts)}/${num(rec.rpkts)} pkts, ${num(rec.bytes)}/${num(rec.rbytes)} bytes`);
    if (typeof rec.state === 'string') parts.push(rec.state);
    // the application, unless the DNS/DHCP detail below names it anyway
    if (typeof rec.app === 'string' && !(rec.app === 'dns' && rec.dns) && !(rec.app === 'dhcp' && rec.dhcp)) parts.push(rec.app);
    if (rec.dns && typeof rec.dns.qname === 'string') parts.push(`dns ${rec.dns.qname}`);
    if (rec.dhcp && typeof rec.dhcp.msg === 'string') parts.push(`dhcp ${rec.dhcp.msg}`);
    if (rec.arp && typeof rec.arp.op === 'string') parts.push(`arp ${rec.arp.op}`);
    return {
      time: start,
      duration,
      priority: '',
      what: `flow ${typeof rec.proto === 'string' ? rec.proto : ''}`.trim(),
      src: ep(rec.src, rec.sport),
      targets: ep(rec.dst, rec.dport),
      detail: parts.join(', '),
    };
  }
  const targets: string[] = Array.isArray(rec.targets) ? rec.targets.filter((t: unknown) => typeof t === 'string') : [];
  const count = typeof rec.target_count === 'number' ? Math.max(rec.target_count, targets.length) : targets.length;
  let t = targets.slice(0, MAX_TARGETS_SHOWN).join(', ');
  if (count > MAX_TARGETS_SHOWN) t += ` (+${count - Math.min(MAX_TARGETS_SHOWN, targets.length)})`;
  const what = typeof rec.method === 'string' ? (typeof rec.submethod === 'string' ? `${rec.method}/${rec.submethod}` : rec.method) : typeof rec.kind === 'string' ? rec.kind : '';
  return {
    time: start,
    duration,
    priority: typeof rec.priority === 'string' ? rec.priority : '',
    what,
    src: typeof rec.src === 'string' ? rec.src : '',
    targets: t,
    detail: typeof rec.detail === 'string' ? rec.detail : typeof rec.title === 'string' ? rec.title : '',
  };
}

function num(v: unknown): string {
  return typeof v === 'number' ? String(v) : '-';
}

/** The colour of a priority in a table or text view. */
export function priorityColor(p: string): string | undefined {
  return p === 'critical' ? 'red' : p === 'high' ? 'magenta' : p === 'medium' ? 'yellow' : p === 'low' ? 'cyan' : undefined;
}
