// fir flows: summaries of flows (group-by, top-N, distinct counts, time bins) and the profile
// of one host, as records when piped and as tables and charts on a terminal.
import type { Argv } from 'yargs';
import { HostProfiler, Summarizer, distinctField, parseKey, type BinRecord, type HostProfile, type KeySpec, type Order, type SummaryRecord } from '../core/flows.js';
import { timelineRow } from '../core/timeline.js';
import { UsageError } from '../errors.js';
import { parseRecordLine, readLineBatches } from '../io.js';
import { parseIp } from '../net.js';
import { durationMs, listOption, tableOrNdjson } from '../options.js';
import { bar, barChart, sparklineFit, timeChart } from '../render/chart.js';
import { humanBytes, humanCount, humanDuration } from '../render/human.js';
import type { Column, renderTable as RenderTableFn } from '../render/table.js';

type RenderTable = typeof RenderTableFn;
import { escapeControl, painter, terminalWidth, useColor, type Paint } from '../term.js';
import type { Command, Context } from './types.js';

interface Args {
  files?: string[];
  by?: string | string[];
  order?: string;
  distinct?: string | string[];
  top?: number;
  bin?: string;
  host?: string;
  limit?: number;
  format?: string;
}

/** Peers and services shown in a host profile unless --top says otherwise. */
const HOST_TOP = 10;
/** Keys shown in a table unless --top says otherwise (records: all). */
const TABLE_TOP = 20;

const command: Command<Args> = {
  command: 'flows [files..]',
  describe: 'summaries of flows: top-N and group-by over any key, distinct counts, time bins, host profile',
  builder: (y: Argv) =>
    y
      .positional('files', { describe: 'NDJSON flow files (- or none: stdin)', type: 'string', array: true })
      .option('by', { describe: 'group by these keys (comma list): src, dst, ip (either side), peer (the other side of --host), pair, sport, dport, port (either), proto, app, service, smac, dmac, mac, vlan, state, dns (qname), any field (dotted: dns.qtype); address prefixes src/24, src/64, ip/24/48', type: 'string' })
      .option('order', { describe: 'order keys by flows, pkts or bytes (descending)', choices: ['flows', 'pkts', 'bytes'], default: 'flows' })
      .option('distinct', { describe: 'count distinct values of these keys per group (comma list, same names as --by)', type: 'string' })
      .option('top', { describe: `keep the first N keys (0: all; default: all in records, ${TABLE_TOP} in a table, ${HOST_TOP} peers and services with --host)`, type: 'number' })
      .option('bin', { describe: 'time bins of this width (30s, 1m, 1h): bin records and a chart', type: 'string' })
      .option('host', { describe: 'the profile of one address: totals, peers, services, traffic over time, its flows; with --by, summaries of its flows only', type: 'string' })
      .option('limit', { describe: 'flows in the detailed table of --host', type: 'number', default: 50 })
      .option('format', { describe: 'output: a table on a terminal, NDJSON otherwise', choices: ['table', 'ndjson'] })
      .example('fir flows --by src --top 10 flows.ndjson', 'the 10 addresses that opened the most flows')
      .example('fir flows --by dst --order bytes --distinct src flows.ndjson', 'servers by volume, with how many clients each had')
      .example('fir flows --by src/24,dport --top 20 flows.ndjson', 'the busiest networks and the ports they reached')
      .example('fir flows --bin 1m flows.ndjson', 'flows, packets and bytes per minute, with a chart on a terminal')
      .example("fir filter 'host 192.168.1.100' < flows.ndjson | fir flows --by dst", 'whom one address talked to')
      .example('fir flows --host 192.168.1.100 flows.ndjson', 'everything about one address in one view'),
  async run(args, ctx) {
    const format = tableOrNdjson(args.format, ctx.out.isTTY);
    const paint = painter(useColor({ isTTY: ctx.out.isTTY }));
    const width = terminalWidth({ columns: ctx.out.columns });
    const order = (args.order ?? 'flows') as Order;
    const binMs = args.bin !== undefined ? durationMs(args.bin, 'bin') : undefined;
    if (binMs !== undefined && !(binMs >= 1)) throw new UsageError('--bin: the width must be at least 1ms');
    if (args.top !== undefined && !(Number.isInteger(args.top) && args.top >= 0)) throw new UsageError('--top: a whole number, 0 for all');
    if (args.limit !== undefined && !(Number.isInteger(args.limit) && args.limit >= 0)) throw new UsageError('--limit: a whole number');
    let host: string | undefined;
    if (args.host !== undefined) {
      const ip = parseIp(String(args.host));
      if (!ip) throw new UsageError(`--host: not an IP address: ${args.host}`);
      host = ip.text;
    }
    const keys = (v: unknown, flag: string): KeySpec[] =>
      listOption(v).map((s) => {
        const k = parseKey(s, host);
        if (typeof k === 'string') throw new UsageError(`--${flag}: ${k}`);
        return k;
      });
    const by = keys(args.by, 'by');
    const distinct = keys(args.distinct, 'distinct');
    const flowsIn = readFlows(args.files ?? [], ctx);

    if (host !== undefined && by.length === 0) {
      if (distinct.length) throw new UsageError('--distinct goes with --by (the --host profile counts distinct peers itself)');
      const prof = new HostProfiler({ host, order, limit: args.limit ?? 50, top: args.top ?? HOST_TOP, binMs, chartBins: Math.max(10, Math.min(120, width - 10)) });
      for await (const batch of flowsIn) for (const [f, raw] of batch) if (prof.involves(f)) prof.add(f, raw);
      const p = prof.result();
      if (format === 'ndjson') await writeProfileRecords(p, ctx);
      else await ctx.out.text(profileView((await import('../render/table.js')).renderTable, p, paint, width, order));
      return 0;
    }

    // no key and no bins: the totals, as one summary keyed "all"
    if (by.length === 0 && binMs === undefined) by.push({ name: 'all', endpoint: false, values: (_f, out) => void out.push({ v: 'all', side: undefined }) });
    const summ = new Summarizer({ by, distinct, order, top: args.top ?? (format === 'table' ? TABLE_TOP : 0), binMs });
    if (host !== undefined) {
      for await (const batch of flowsIn) for (const [f] of batch) if (f.src === host || f.dst === host) summ.add(f);
    } else {
      for await (const batch of flowsIn) for (const [f] of batch) summ.add(f);
    }
    if (summ.missing > 0) ctx.diag.info(`${summ.missing} of ${summ.flows} flows have no ${by.map((k) => k.name).join(' or ')} and are in no summary`);
    const sums = by.length ? summ.summaries() : [];
    const bins = summ.bins();
    if (format === 'ndjson') {
      for (const r of sums) {
        const w = ctx.out.record(r);
        if (w) await w;
      }
      for (const r of bins) {
        const w = ctx.out.record(r);
        if (w) await w;
      }
      return 0;
    }
    const { renderTable } = await import('../render/table.js');
    if (by.length) await ctx.out.text(summaryTable(renderTable, sums, summ, by, distinct, order, paint, width));
    else if (binMs !== undefined) await ctx.out.text(binView(bins, binMs, order, paint, width));
    return 0;
  },
};

/** Flow records of the sources, as [parsed, raw line] pairs in batches; other records are reported. */
async function* readFlows(files: string[], ctx: Context): AsyncGenerator<[Record<string, any>, string][]> {
  for await (const batch of readLineBatches(files, { stdin: ctx.stdin, diag: ctx.diag })) {
    const out: [Record<string, any>, string][] = [];
    for (const l of batch) {
      const rec = parseRecordLine(l, ctx.diag);
      if (rec === undefined) continue;
      const k = rec.kind;
      if (k === 'flow' || k === undefined) out.push([rec, l.text]);
      else ctx.diag.skip(l.source, l.line, `not a flow record (kind ${typeof k === 'string' ? k : JSON.stringify(k)})`);
    }
    if (out.length) yield out;
  }
}

async function writeProfileRecords(p: HostProfile, ctx: Context): Promise<void> {
  const all: unknown[] = [p.total, ...p.peers, ...p.clientServices, ...p.serverServices, ...p.bins];
  for (const r of all) {
    const w = ctx.out.record(r);
    if (w) await w;
  }
  for (const raw of p.flows) {
    const w = ctx.out.line(raw);
    if (w) await w;
  }
}

function keyCells(key: unknown, n: number): string[] {
  if (n === 1) return [String(key)];
  return (key as unknown[]).map((k) => String(k));
}

/** A time in a summary table, to the second (milliseconds are noise at this level). */
function timeCell(t: string | undefined): string {
  return t ? t.slice(0, 19).replace('T', ' ') : '';
}

/** Time cells without the date when every time shown is on one day (the date goes in the title). */
function timeCells(times: (string | undefined)[]): { cell: (t: string | undefined) => string; day: string | undefined } {
  const days = new Set(times.filter((t): t is string => !!t).map((t) => t.slice(0, 10)));
  if (days.size === 1) return { cell: (t) => (t ? t.slice(11, 19) : ''), day: [...days][0] };
  return { cell: timeCell, day: undefined };
}

function summaryTable(renderTable: RenderTable, sums: SummaryRecord[], summ: Summarizer, by: KeySpec[], distinct: KeySpec[], order: Order, paint: Paint, width: number): string {
  const series = summ.series(order);
  const cols: Column[] = [
    ...by.map((k) => ({ name: k.name, min: 17 })),
    { name: 'flows', align: 'right' as const, min: 5 },
    { name: 'pkts', align: 'right' as const, min: 5 },
    { name: 'bytes', align: 'right' as const, min: 7 },
    ...distinct.map((k) => ({ name: `distinct ${k.name}`, align: 'right' as const, min: 8 })),
    { name: 'first', min: 8 },
    { name: 'last', min: 8 },
  ];
  const tc = timeCells(sums.flatMap((s) => [s.start, s.end]));
  const max = Math.max(0, ...sums.map((s) => s[order]));
  const withChart = series.range !== undefined;
  cols.push(withChart ? { name: `${order} over time`, min: 8, max: 40, flex: true } : { name: `share of ${order}`, min: 6, max: 16, flex: true });
  const rows = sums.map((s, i) => [
    ...keyCells(s.key, by.length),
    s.flows,
    humanCount(s.pkts),
    humanBytes(s.bytes),
    ...distinct.map((k) => s[distinctField(k.name)] as number),
    tc.cell(s.start),
    tc.cell(s.end),
    withChart ? (w: number) => sparklineFit(series.values[i], w) : (w: number) => bar(s[order], max, w),
  ]);
  let out = sums.length ? renderTable({ columns: cols, rows, width, paint }) + '\n' : '';
  const shown = sums.length;
  out += `${shown} of ${summ.keys} key${summ.keys === 1 ? '' : 's'} (${summ.flows} flows), ordered by ${order}${tc.day ? `; times on ${tc.day} UTC` : ''}`;
  if (withChart) out += `; chart from ${timeCell(new Date(series.range![0]).toISOString())} to ${timeCell(new Date(series.range![1]).toISOString())}`;
  return out + '\n';
}

function binView(bins: BinRecord[], binMs: number, order: Order, paint: Paint, width: number): string {
  if (bins.length === 0) return 'no flows\n';
  const values = bins.map((b) => b[order]);
  const first = timeCell(bins[0].start);
  const last = timeCell(bins[bins.length - 1].end);
  let out = timeChart(`${order} per ${humanDuration(binMs)}, ${bins.length} bins`, values, first, last, width, paint) + '\n';
  if (bins.length <= 200) {
    out += '\n' + barChart(bins.map((b) => ({ label: timeCell(b.start), value: b[order], text: `${humanCount(b.flows)} flow${b.flows === 1 ? '' : 's'} ${humanCount(b.pkts)} pkt${b.pkts === 1 ? '' : 's'} ${humanBytes(b.bytes)}` })), width, paint) + '\n';
  }
  return out;
}

function profileView(renderTable: RenderTable, p: HostProfile, paint: Paint, width: number, order: Order): string {
  const t = p.total;
  const e = escapeControl;
  const lines: string[] = [];
  lines.push(paint('bold', `host ${e(p.host)}`) + (t.flows ? `: ${t.flows} flows, ${humanCount(t.pkts)} pkts, ${humanBytes(t.bytes)}, ${timeCell(t.start)} to ${timeCell(t.end)}` : ': no flows'));
  if (!t.flows) return lines.join('\n') + '\n';
  lines.push(`  sent ${humanCount(t.sent_pkts ?? 0)} pkts ${humanBytes(t.sent_bytes ?? 0)}, received ${humanCount(t.rcvd_pkts ?? 0)} pkts ${humanBytes(t.rcvd_bytes ?? 0)}`);
  const nof = (n: unknown, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  lines.push(`  as client: ${nof(t.client_flows, 'flow')}, ${humanBytes(t.client_bytes as number)}, ${nof(t.distinct_client_services, 'service')} used`);
  lines.push(`  as server: ${nof(t.server_flows, 'flow')}, ${humanBytes(t.server_bytes as number)}, ${nof(t.distinct_server_services, 'service')} offered`);
  lines.push(`  ${nof(t.distinct_peers, 'peer')}`);
  const tc = timeCells([...p.peers, ...p.clientServices, ...p.serverServices].flatMap((r) => [r.start, r.end]));
  lines.push('');
  lines.push(paint('bold', `peers${tc.day ? ` (times on ${tc.day} UTC)` : ''}`));
  const maxB = Math.max(0, ...p.peers.map((r) => r[order]));
  lines.push(
    renderTable({
      columns: [{ name: 'peer', min: 8 }, { name: 'flows', align: 'right' }, { name: 'as client', align: 'right' }, { name: 'as server', align: 'right' }, { name: 'pkts', align: 'right' }, { name: 'bytes', align: 'right' }, { name: 'first', min: 10 }, { name: 'last', min: 10 }, { name: `share of ${order}`, max: 14, flex: true }],
      rows: p.peers.map((r) => [String(r.key), r.flows, r.host_client_flows as number, r.host_server_flows as number, humanCount(r.pkts), humanBytes(r.bytes), tc.cell(r.start), tc.cell(r.end), (w: number) => bar(r[order], maxB, w)]),
      width,
      paint,
    }),
  );
  for (const [title, list] of [
    ['services used as a client (its destination ports)', p.clientServices],
    ['services offered as a server (its ports others used)', p.serverServices],
  ] as const) {
    lines.push('');
    lines.push(paint('bold', title));
    if (list.length === 0) {
      lines.push('  none');
      continue;
    }
    lines.push(
      renderTable({
        columns: [{ name: 'service' }, { name: 'flows', align: 'right' }, { name: 'peers', align: 'right' }, { name: 'pkts', align: 'right' }, { name: 'bytes', align: 'right' }, { name: 'first', min: 10 }, { name: 'last', min: 10 }],
        rows: list.map((r) => [String(r.key), r.flows, r.distinct_peers as number, humanCount(r.pkts), humanBytes(r.bytes), tc.cell(r.start), tc.cell(r.end)]),
        width,
        paint,
      }),
    );
  }
  lines.push('');
  const values = p.bins.map((b) => b[order]);
  if (p.bins.length) lines.push(paint('bold', 'traffic over time') + '\n' + timeChart(`${order} per ${humanDuration(p.binMs)}`, values, timeCell(p.bins[0].start), timeCell(p.bins[p.bins.length - 1].end), Math.min(width, 120), paint));
  lines.push('');
  lines.push(paint('bold', `flows (the first ${p.flows.length} of ${p.flowCount}, in time order)`));
  const rows = p.flows.map((raw) => timelineRow(JSON.parse(raw) as Record<string, unknown>));
  if (rows.length) {
    lines.push(
      renderTable({
        columns: [{ name: 'start', min: 10 }, { name: 'for', align: 'right', min: 4 }, { name: 'proto', min: 4 }, { name: 'src', min: 7 }, { name: 'dst', min: 7 }, { name: 'detail', min: 12 }],
        rows: rows.map((r) => [timeCell(r.time), r.duration ? humanDuration(r.duration) : '', r.what.replace(/^flow /, ''), r.src, r.targets, r.detail]),
        width,
        paint,
      }),
    );
  }
  return lines.join('\n') + '\n';
}

export default command;
