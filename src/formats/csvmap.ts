// Any CSV with a header row, read with csv-parse: `--map 'src=SrcAddr,dst=DstAddr,…'` says
// which column holds which flow field. Times are ISO 8601, `YYYY-MM-DD HH:MM:SS(.fff)` (UTC),
// or epoch seconds/ms/µs/ns, sniffed per value or named with --time-format.
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { UsageError } from '../errors.js';
import { canonicalIp, parseIPv4 } from '../net.js';
import type { Flow } from '../record.js';
import { badTimes, blankFacts, clearFacts, flagsByte, makeFlow, protoNumber, type FlowFacts } from './netflow/normalize.js';
import { lineBatches, parseTime, TIME_FORMATS, type LineBatch, type TextSink, type TimeFormat } from './netflow/text.js';
import { splitLines, textRows, type ChunkReader } from './text-chunks.js';
import { chunkedText } from './text-parallel.js';
import { rowReaders, type RowSink } from './netflow/rows.js';
import type { FormatReader, ReadContext } from './types.js';
import { sniffCsv } from './text-sniff.js';

export { sniffCsv };

export const MAP_FIELDS = ['start', 'end', 'duration', 'src', 'dst', 'sport', 'dport', 'proto', 'pkts', 'bytes', 'rpkts', 'rbytes', 'flags', 'rflags', 'state', 'smac', 'dmac', 'vlan', 'app', 'icmp_type', 'icmp_code'] as const;
type MapField = (typeof MAP_FIELDS)[number];

/** Column index per mapped field, or the reason this header does not fit the map. Unknown field names are a UsageError. */
export function resolveMap(map: Record<string, string> | undefined, header: string[]): Partial<Record<MapField, number>> | string {
  if (!map) return 'a CSV file: say which column holds which field with --map FIELD=COLUMN,… (for example src=SrcAddr,dst=DstAddr,start=Start,proto=Proto,pkts=Packets,bytes=Bytes)';
  const out: Partial<Record<MapField, number>> = {};
  const trimmed = header.map((h) => h.trim());
  for (const [field, col] of Object.entries(map)) {
    if (!(MAP_FIELDS as readonly string[]).includes(field)) throw new UsageError(`--map: unknown field ${field} (one of ${MAP_FIELDS.join(', ')})`);
    const i = trimmed.indexOf(col);
    if (i < 0) return `--map: the header has no column ${col} (columns: ${trimmed.join(', ').slice(0, 300)})`;
    out[field as MapField] = i;
  }
  const missing = ['src', 'dst', 'pkts', 'bytes'].filter((f) => out[f as MapField] === undefined);
  if (out.start === undefined && out.end === undefined) missing.push('start');
  if (missing.length) throw new UsageError(`--map: map the fields ${missing.join(', ')} too`);
  return out;
}

const MAC = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;

// the canonical text of the IPv6 (and other) addresses seen last: the same hosts come again and again
let canonical = new Map<string, string | undefined>();

/** An address in its canonical text (a plain IPv4 address already is), or undefined. */
function address(s: string): string | undefined {
  if (parseIPv4(s) >= 0) return s;
  let c = canonical.get(s);
  if (c === undefined && !canonical.has(s)) {
    if (canonical.size >= 4096) canonical = new Map();
    c = canonicalIp(s);
    canonical.set(s, c);
  }
  return c;
}

/** s.trim(), without the call when s has nothing to trim (printable ASCII at both ends) */
function trim(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(n - 1);
  return a > 32 && a < 127 && b > 32 && b < 127 ? s : s.trim();
}

// the mapped fields read alike, and the facts they go to
const INT_FIELDS = [['sport', 'sport'], ['dport', 'dport'], ['icmp_type', 'icmpType'], ['icmp_code', 'icmpCode'], ['vlan', 'vlan']] as const;
const FLAG_FIELDS = [['flags', 'flags'], ['rflags', 'rflags']] as const;
const MAC_FIELDS = [['smac', 'smac'], ['dmac', 'dmac']] as const;

/** The facts of one CSV record into `facts` (cleared first), or the reason it is bad. */
export function csvFacts(rec: string[], m: Partial<Record<MapField, number>>, fmt: TimeFormat | undefined, facts: FlowFacts): string | undefined {
  const get = (f: MapField) => {
    const i = m[f];
    if (i === undefined || i >= rec.length) return undefined;
    const v = trim(rec[i]);
    return v === '' ? undefined : v;
  };
  const int = (f: MapField): number | undefined | null => {
    const v = get(f);
    if (v === undefined) return undefined;
    const x = Number(v);
    return Number.isInteger(x) && x >= 0 ? x : null;
  };
  const st = get('start');
  const et = get('end');
  let start = st !== undefined ? parseTime(st, fmt) : NaN;
  let end = et === st ? start : et !== undefined ? parseTime(et, fmt) : NaN;
  if (st !== undefined && Number.isNaN(start)) return `bad start time ${st}`;
  if (et !== undefined && Number.isNaN(end)) return `bad end time ${et}`;
  if (Number.isNaN(start)) start = end;
  if (Number.isNaN(start)) return 'no time';
  if (Number.isNaN(end)) {
    const d = get('duration');
    const secs = d !== undefined ? Number(d) : 0;
    if (!Number.isFinite(secs) || secs < 0) return `bad duration ${d}`;
    end = start + Math.round(secs * 1000);
  }
  const why = badTimes(start, end);
  if (why) return why;
  const srcText = get('src');
  const dstText = get('dst');
  const src = srcText !== undefined ? address(srcText) : undefined;
  const dst = dstText !== undefined ? address(dstText) : undefined;
  if (!src || !dst) return `bad address ${!src ? srcText ?? '(empty)' : dstText ?? '(empty)'}`;
  const pt = get('proto');
  const proto = pt !== undefined ? protoNumber(pt) : 0;
  if (proto < 0) return `bad protocol ${pt}`;
  const pkts = int('pkts');
  const bytes = int('bytes');
  if (pkts == null || bytes == null) return `bad packet or byte count`;
  clearFacts(facts);
  facts.startMs = start;
  facts.endMs = end;
  facts.proto = proto;
  facts.src = src;
  facts.dst = dst;
  facts.pkts = pkts;
  facts.bytes = bytes;
  for (const [f, k] of INT_FIELDS) {
    const v = int(f);
    if (v === null) return `bad ${f} ${get(f)}`;
    if (v !== undefined) facts[k] = v;
  }
  const rp = int('rpkts');
  const rb = int('rbytes');
  if (rp === null || rb === null) return 'bad rpkts or rbytes';
  if (rp !== undefined || rb !== undefined) {
    facts.rpkts = rp ?? 0;
    facts.rbytes = rb ?? 0;
  }
  for (const [f, k] of FLAG_FIELDS) {
    const v = get(f);
    if (v === undefined) continue;
    // a number (decimal, or hex with 0x) or letters (CEUAPRSF, nfdump's dots allowed)
    const b = /^\d{1,3}$/.test(v) ? Number(v) : /^0x[0-9a-f]{1,2}$/i.test(v) ? parseInt(v.slice(2), 16) : flagsByte(v);
    if (!(b >= 0 && b < 256)) return `bad ${f} ${v}`;
    facts[k] = b;
  }
  const state = get('state');
  if (state) facts.state = state;
  for (const [f, k] of MAC_FIELDS) {
    const v = get(f);
    if (v === undefined) continue;
    const mm = MAC.exec(v);
    if (!mm) return `bad ${f} ${v}`;
    facts[k] = mm.slice(1).join(':').toLowerCase();
  }
  const app = get('app');
  if (app) facts.app = app.toLowerCase();
  return undefined;
}

/** A flow of one CSV record, or the reason it is bad. */
export function csvFlow(rec: string[], m: Partial<Record<MapField, number>>, fmt: TimeFormat | undefined, origin: string, id?: string): Flow | string {
  const facts = blankFacts();
  return csvFacts(rec, m, fmt, facts) ?? makeFlow(facts, origin, origin, id);
}

interface Rec {
  record: string[];
  line: number;
  /** a record csv-parse skipped: why (line -1 when it does not say) */
  bad?: string;
}

/** What the lines before decide for a record: the header's map (none yet: the next record is the header), a first line still to come (its byte order mark), a header that stops the file. */
interface CsvState {
  m: Partial<Record<MapField, number>> | undefined;
  first: boolean;
  stopped: boolean;
}

const csvStart = (): CsvState => ({ m: undefined, first: true, stopped: false });

const FACTS = blankFacts();

/** One record: the header (resolved against --map), or a row's facts to `row`; a bad row is reported. */
function record(st: CsvState, rec: string[], line: number, ctx: ReadContext, row: RowSink): void {
  if (!st.m) {
    const r = resolveMap(ctx.options.map, rec);
    if (typeof r === 'string') {
      // this file is skipped, the other inputs are still read
      ctx.diag.skip(ctx.source, line, r);
      st.stopped = true;
      return;
    }
    st.m = r;
    return;
  }
  const why = csvFacts(rec, st.m, ctx.options.timeFormat as TimeFormat | undefined, FACTS);
  if (why !== undefined) ctx.diag.skip(ctx.source, line, why);
  else row(FACTS, line);
}

/**
 * The records of a batch of lines. Lines without a quote or a lone CR are split at commas here
 * (what csv-parse makes of them too); the index of the first line that has one is returned
 * (the rest of the stream goes through csv-parse: quoted fields, fields over lines), else -1.
 */
function plainLines(st: CsvState, lines: string[], first: number, ctx: ReadContext, row: RowSink): number {
  for (let k = 0; k < lines.length; k++) {
    if (st.stopped) return -1;
    let t = lines[k];
    if (st.first) {
      st.first = false;
      if (t.charCodeAt(0) === 0xfeff) lines[k] = t = t.slice(1); // a byte order mark
    }
    if (t.indexOf('"') >= 0 || t.indexOf('\r') >= 0) return k;
    if (t.length === 0) continue;
    record(st, t.split(','), first + k, ctx, row);
  }
  return -1;
}

/** The records csv-parse makes of `text` (`offset` lines come before it), each to `record`; one yield a batch. */
async function* parsedRows(st: CsvState, text: AsyncIterable<string>, offset: number, ctx: ReadContext, row: RowSink): AsyncGenerator<void> {
  for await (const batch of parsedRecords(text, offset)) {
    for (const { record: rec, line, bad } of batch) {
      if (bad !== undefined) {
        ctx.diag.skip(ctx.source, line < 0 ? undefined : line, bad);
        continue;
      }
      record(st, rec, line, ctx, row);
      if (st.stopped) break;
    }
    yield;
    if (st.stopped) return;
  }
}

/** The text of lines[k…] and of the batches still to come. */
async function* restOf(lines: string[], k: number, it: AsyncIterator<LineBatch>): AsyncGenerator<string> {
  yield lines.slice(k).join('\n') + '\n';
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value.lines.join('\n') + '\n';
  }
}

/**
 * Records of CSV text by csv-parse; `offset` lines come before the text. A record csv-parse
 * skips comes among the others (`bad` says why), before the first good record after it, so
 * that diagnostics are in line order however the text was cut into pieces.
 */
async function* parsedRecords(text: AsyncIterable<string>, offset: number): AsyncGenerator<Rec[]> {
  const skipped: Rec[] = [];
  const parser = parse({
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
    bom: true,
    skip_records_with_error: true,
    on_skip: (err: Error | undefined) => {
      if (err) {
        const l = (err as { lines?: number }).lines;
        skipped.push({ record: [], line: l !== undefined ? l + offset : -1, bad: `not CSV (${err.message.slice(0, 100)})` });
      }
    },
  });
  const source = Readable.from(text, { objectMode: false });
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    let out: Rec[] = [];
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = item.info.lines + offset;
      while (skipped.length && skipped[0].line < line) out.push(skipped.shift()!);
      out.push({ record: item.record, line });
      if (out.length >= 2048) {
        yield out;
        out = [];
      }
    }
    out.push(...skipped.splice(0, skipped.length));
    if (out.length) yield out;
  } finally {
    parser.destroy();
    source.destroy();
  }
}

function checkTimeFormat(tf: string | undefined): void {
  if (tf !== undefined && !(TIME_FORMATS as readonly string[]).includes(tf)) throw new UsageError(`--time-format: ${tf} is not one of ${TIME_FORMATS.join(', ')}`);
}

/** Each record's facts to `row`, bad ones reported; one yield a batch of records. */
async function* rows(input: Readable, ctx: ReadContext, row: RowSink): AsyncGenerator<void> {
  checkTimeFormat(ctx.options.timeFormat);
  const st = csvStart();
  const it = lineBatches(input)[Symbol.asyncIterator]();
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    const { lines, first } = r.value;
    const k = plainLines(st, lines, first, ctx, row);
    yield;
    if (st.stopped) {
      input.destroy();
      return;
    }
    if (k >= 0) {
      yield* parsedRows(st, restOf(lines, k, it), first + k - 1, ctx, row);
      if (st.stopped) input.destroy();
      return;
    }
  }
}

let chunkRows: { source: string; sink: TextSink; row: RowSink } | undefined;
/** the text RowSink of a source, kept from chunk to chunk */
function chunkRow(source: string, sink: TextSink): RowSink {
  if (!chunkRows || chunkRows.source !== source) {
    const c: { source: string; sink: TextSink; row: RowSink } = { source, sink, row: undefined as unknown as RowSink };
    c.row = textRows(source, () => c.sink);
    chunkRows = c;
  }
  chunkRows.sink = sink;
  return chunkRows.row;
}

/** CSV with --map chunk by chunk (text-parallel.ts): from the first line with a quote or a lone CR on, the rest goes through csv-parse here */
export const csvChunks: ChunkReader<CsvState> = {
  start: csvStart,
  key: (st) => JSON.stringify(st),
  stopped: (st) => st.stopped,
  text(state, text, first, out) {
    checkTimeFormat(out.ctx.options.timeFormat);
    const k = plainLines(state, splitLines(text), first, out.ctx, chunkRow(out.ctx.source, out.sink));
    if (k >= 0) out.handoff = k;
    return state;
  },
  async *rest(state, input, first, out) {
    const batches = lineBatches(Readable.from(input, { objectMode: false }))[Symbol.asyncIterator]();
    const text = (async function* () {
      for (;;) {
        const r = await batches.next();
        if (r.done) return;
        yield r.value.lines.join('\n') + '\n';
      }
    })();
    const row = textRows(out.ctx.source, () => out.sink);
    for await (const _ of parsedRows(state, text, first - 1, out.ctx, row)) if (!out.sink.empty) yield out.sink.take();
  },
};

const csvReaders = rowReaders(rows);

async function* csvText(input: Readable, ctx: ReadContext): AsyncGenerator<string | Uint8Array> {
  checkTimeFormat(ctx.options.timeFormat);
  yield* chunkedText('csv', csvChunks as ChunkReader<unknown>, input, ctx);
}

export const csvMap: FormatReader = {
  name: 'csv',
  describe: "any CSV with a header row and --map 'src=COL,dst=COL,start=COL,proto=COL,pkts=COL,bytes=COL,…'",
  sniff: sniffCsv,
  ...csvReaders,
  // without --biflow: chunk by chunk in this thread, as the worker threads read it
  readText: (input, ctx) => (ctx.options.biflow === true ? csvReaders.readText!(input, ctx) : csvText(input, ctx)),
};
