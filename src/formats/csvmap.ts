// Any CSV with a header row, read with csv-parse: `--map 'src=SrcAddr,dst=DstAddr,…'` says
// which column holds which flow field. Times are ISO 8601, `YYYY-MM-DD HH:MM:SS(.fff)` (UTC),
// or epoch seconds/ms/µs/ns, sniffed per value or named with --time-format.
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { UsageError } from '../errors.js';
import { canonicalIp, parseIPv4 } from '../net.js';
import type { Flow } from '../record.js';
import { badTimes, blankFacts, clearFacts, flagsByte, makeFlow, protoNumber, type FlowFacts } from './netflow/normalize.js';
import { lineBatches, parseTime, TIME_FORMATS, type LineBatch, type TimeFormat } from './netflow/text.js';
import { rowReaders, type RowSink } from './netflow/rows.js';
import type { FormatReader, ReadContext } from './types.js';

export const MAP_FIELDS = ['start', 'end', 'duration', 'src', 'dst', 'sport', 'dport', 'proto', 'pkts', 'bytes', 'rpkts', 'rbytes', 'flags', 'rflags', 'state', 'smac', 'dmac', 'vlan', 'app', 'icmp_type', 'icmp_code'] as const;
type MapField = (typeof MAP_FIELDS)[number];

export function sniffCsv(head: Buffer): boolean {
  const first = head.subarray(0, 4096).toString('latin1').split('\n', 1)[0];
  return !first.startsWith('#') && !first.startsWith('{') && (first.match(/,/g)?.length ?? 0) >= 2 && /[A-Za-z]/.test(first);
}

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

/** An address in its canonical text (a plain IPv4 address already is), or undefined. */
function address(s: string): string | undefined {
  return parseIPv4(s) >= 0 ? s : canonicalIp(s);
}

/** The facts of one CSV record into `facts` (cleared first), or the reason it is bad. */
export function csvFacts(rec: string[], m: Partial<Record<MapField, number>>, fmt: TimeFormat | undefined, facts: FlowFacts): string | undefined {
  const get = (f: MapField) => {
    const i = m[f];
    if (i === undefined || i >= rec.length) return undefined;
    const v = rec[i].trim();
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
  let end = et !== undefined ? parseTime(et, fmt) : NaN;
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
  for (const [f, k] of [['sport', 'sport'], ['dport', 'dport'], ['icmp_type', 'icmpType'], ['icmp_code', 'icmpCode'], ['vlan', 'vlan']] as const) {
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
  for (const [f, k] of [['flags', 'flags'], ['rflags', 'rflags']] as const) {
    const v = get(f);
    if (v === undefined) continue;
    // a number (decimal, or hex with 0x) or letters (CEUAPRSF, nfdump's dots allowed)
    const b = /^\d{1,3}$/.test(v) ? Number(v) : /^0x[0-9a-f]{1,2}$/i.test(v) ? parseInt(v.slice(2), 16) : flagsByte(v);
    if (!(b >= 0 && b < 256)) return `bad ${f} ${v}`;
    facts[k] = b;
  }
  const state = get('state');
  if (state) facts.state = state;
  for (const [f, k] of [['smac', 'smac'], ['dmac', 'dmac']] as const) {
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
}

/**
 * The records of a CSV stream with their line numbers, in batches. Lines without a quote or a
 * lone CR are split at commas here (what csv-parse makes of them too); from the first line that
 * has one, the rest of the stream goes through csv-parse (quoted fields, fields over lines).
 */
async function* csvRecords(input: Readable, ctx: ReadContext): AsyncGenerator<Rec[]> {
  const it = lineBatches(input)[Symbol.asyncIterator]();
  let first = true;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    const { lines, first: n0 } = r.value;
    const out: Rec[] = [];
    for (let k = 0; k < lines.length; k++) {
      let t = lines[k];
      if (first) {
        first = false;
        if (t.charCodeAt(0) === 0xfeff) lines[k] = t = t.slice(1); // a byte order mark
      }
      if (t.indexOf('"') >= 0 || t.indexOf('\r') >= 0) {
        if (out.length) yield out;
        yield* parsedRecords(restOf(lines, k, it), n0 + k - 1, ctx);
        return;
      }
      if (t.length === 0) continue;
      out.push({ record: t.split(','), line: n0 + k });
    }
    if (out.length) yield out;
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

/** Records of CSV text by csv-parse; `offset` lines come before the text. */
async function* parsedRecords(text: AsyncIterable<string>, offset: number, ctx: ReadContext): AsyncGenerator<Rec[]> {
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
        ctx.diag.skip(ctx.source, l !== undefined ? l + offset : undefined, `not CSV (${err.message.slice(0, 100)})`);
      }
    },
  });
  const source = Readable.from(text, { objectMode: false });
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    let out: Rec[] = [];
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      out.push({ record: item.record, line: item.info.lines + offset });
      if (out.length >= 2048) {
        yield out;
        out = [];
      }
    }
    if (out.length) yield out;
  } finally {
    parser.destroy();
    source.destroy();
  }
}

/** Each record's facts to `row`, bad ones reported; one yield a batch of records. */
async function* rows(input: Readable, ctx: ReadContext, row: RowSink): AsyncGenerator<void> {
  const tf = ctx.options.timeFormat;
  if (tf !== undefined && !(TIME_FORMATS as readonly string[]).includes(tf)) throw new UsageError(`--time-format: ${tf} is not one of ${TIME_FORMATS.join(', ')}`);
  let m: Partial<Record<MapField, number>> | undefined;
  const facts = blankFacts();
  for await (const batch of csvRecords(input, ctx)) {
    for (const { record, line } of batch) {
      if (!m) {
        const r = resolveMap(ctx.options.map, record);
        if (typeof r === 'string') {
          // this file is skipped, the other inputs are still read
          ctx.diag.skip(ctx.source, line, r);
          input.destroy();
          return;
        }
        m = r;
        continue;
      }
      const why = csvFacts(record, m, tf as TimeFormat | undefined, facts);
      if (why !== undefined) ctx.diag.skip(ctx.source, line, why);
      else row(facts, line);
    }
    yield;
  }
}

export const csvMap: FormatReader = {
  name: 'csv',
  describe: "any CSV with a header row and --map 'src=COL,dst=COL,start=COL,proto=COL,pkts=COL,bytes=COL,…'",
  sniff: sniffCsv,
  ...rowReaders(rows),
};
