// nfdump 1.7 text output: `-o csv` (with its header row and closing Summary lines, or bare
// with -q) and `-o json` (one array) / `-o ndjson` (one object a line). nfdump prints local
// time without a zone: fir reads it as UTC (run nfdump with TZ=UTC).
import type { Readable } from 'node:stream';
import type { Flow } from '../record.js';
import { badTimes, blankFacts, clearFacts, flagsByte, makeFlow, protoNumber, type FlowFacts } from './netflow/normalize.js';
import { StringDecoder } from 'node:string_decoder';
import { DateTimeReader, Fields, intAt, JsonScanner, JSON_SCAN_START, lineBatches, type JsonScanState, type ScannedObject, type TextSink } from './netflow/text.js';
import { lineChunks, textRows, type ChunkReader } from './text-chunks.js';
import { chunkedText } from './text-parallel.js';
import { rowReaders, type RowSink } from './netflow/rows.js';
import type { FormatReader, ReadContext } from './types.js';
import { sniffNfdumpCsv, sniffNfdumpJson } from './text-sniff.js';

export { sniffNfdumpCsv, sniffNfdumpJson };

/** nfdump 1.7's csv columns, for files written with -q (no header). */
export const NFDUMP_CSV_COLUMNS = 'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr'.split(',');

interface Cols {
  ts: number; te: number; sa: number; da: number; sp: number; dp: number; pr: number; flg: number;
  ipkt: number; ibyt: number; opkt: number; obyt: number; svln: number; ismc: number; odmc: number;
  n: number;
  /** the last column fir reads */
  last: number;
}

function columns(names: string[]): Cols {
  const at = (k: string) => names.indexOf(k);
  const c = { ts: at('ts'), te: at('te'), sa: at('sa'), da: at('da'), sp: at('sp'), dp: at('dp'), pr: at('pr'), flg: at('flg'), ipkt: at('ipkt'), ibyt: at('ibyt'), opkt: at('opkt'), obyt: at('obyt'), svln: at('svln'), ismc: at('ismc'), odmc: at('odmc'), n: names.length, last: 0 };
  c.last = Math.max(c.ts, c.te, c.sa, c.da, c.sp, c.dp, c.pr, c.flg, c.ipkt, c.ibyt, c.opkt, c.obyt, c.svln, c.ismc, c.odmc);
  return c;
}

const ZERO_MAC = '00:00:00:00:00:00';

// flag letters of nfdump's `...AP.SF` (any order, any case): the bit of each character code,
// 0 for the filler dot and space, -1 for anything else
const FLAG_BIT = new Int16Array(128).fill(-1);
'CEUAPRSF'.split('').forEach((ch, k) => {
  FLAG_BIT[ch.charCodeAt(0)] = 0x80 >> k;
  FLAG_BIT[ch.toLowerCase().charCodeAt(0)] = 0x80 >> k;
});
FLAG_BIT[46] = 0;
FLAG_BIT[32] = 0;

/** flagsByte of field i, read in place */
function flagsAt(f: Fields, i: number): number {
  const line = f.line;
  let b = 0;
  for (let k = f.from(i), end = f.to(i); k < end; k++) {
    const c = line.charCodeAt(k);
    const v = c < 128 ? FLAG_BIT[c] : -1;
    if (v < 0) return -1;
    b |= v;
  }
  return b;
}

/** a MAC address field: lower case, undefined when empty or all zeros */
function macField(f: Fields, i: number): string | undefined {
  if (i < 0) return undefined;
  const a = f.from(i);
  const e = f.to(i);
  if (a === e || f.is(i, ZERO_MAC)) return undefined;
  return f.line.slice(a, e).toLowerCase();
}

/**
 * The facts of one nfdump csv row into `facts` (cleared first), or the reason it is not a flow.
 * `ts` and `te` read the start and end times (each keeps its own minute).
 */
export function nfdumpCsvFacts(f: Fields, c: Cols, facts: FlowFacts, ts: DateTimeReader, te: DateTimeReader): string | undefined {
  if (f.n < c.n) return `${f.n} fields, the header has ${c.n}`;
  const line = f.line;
  const start = ts.at(line, f.from(c.ts), f.to(c.ts));
  const end = te.at(line, f.from(c.te), f.to(c.te));
  if (Number.isNaN(start) || Number.isNaN(end)) return `bad time ${Number.isNaN(start) ? f.get(c.ts) : f.get(c.te)}`;
  const why = badTimes(start, end);
  if (why) return why;
  const proto = f.is(c.pr, 'TCP') ? 6 : f.is(c.pr, 'UDP') ? 17 : protoNumber(f.get(c.pr));
  if (proto < 0) return `bad protocol ${f.get(c.pr)}`;
  const pkts = f.int(c.ipkt);
  const bytes = f.int(c.ibyt);
  if (pkts < 0 || bytes < 0) return `bad packet or byte count ${f.get(c.ipkt)} ${f.get(c.ibyt)}`;
  if (f.from(c.sa) === f.to(c.sa) || f.from(c.da) === f.to(c.da)) return 'no address';
  clearFacts(facts);
  facts.startMs = start;
  facts.endMs = end;
  facts.proto = proto;
  facts.src = f.get(c.sa);
  facts.dst = f.get(c.da);
  facts.pkts = pkts;
  facts.bytes = bytes;
  if (proto === 1 || proto === 58) {
    // nfdump writes ICMP type and code in the destination port: type*256+code, or "type.code"
    const a = f.from(c.dp);
    const e = f.to(c.dp);
    const dot = line.indexOf('.', a);
    if (dot > a && dot < e) {
      const ty = intAt(line, a, dot);
      const co = intAt(line, dot + 1, e);
      facts.icmpType = ty >= 0 ? ty : undefined;
      facts.icmpCode = co >= 0 ? co : undefined;
    } else {
      const v = intAt(line, a, e);
      if (v >= 0) {
        facts.icmpType = v >> 8;
        facts.icmpCode = v & 255;
      }
    }
  } else {
    const sp = f.int(c.sp);
    const dp = f.int(c.dp);
    if (sp < 0 || dp < 0) return `bad port ${f.get(c.sp)} ${f.get(c.dp)}`;
    facts.sport = sp;
    facts.dport = dp;
  }
  if (c.flg >= 0) {
    const b = flagsAt(f, c.flg);
    if (b >= 0) facts.flags = b;
  }
  const opkt = c.opkt >= 0 ? f.int(c.opkt) : -1;
  const obyt = c.obyt >= 0 ? f.int(c.obyt) : -1;
  // out counters are only filled for bidirectional (NSEL) records
  if (opkt > 0 || obyt > 0) {
    facts.rpkts = opkt > 0 ? opkt : 0;
    facts.rbytes = obyt > 0 ? obyt : 0;
  }
  facts.smac = macField(f, c.ismc);
  facts.dmac = macField(f, c.odmc);
  if (c.svln >= 0) {
    const v = f.int(c.svln);
    if (v > 0) facts.vlan = v;
  }
  return undefined;
}

/** A flow of one nfdump csv row, or the reason it is not one. */
export function nfdumpCsvFlow(f: Fields, c: Cols, origin: string, time: DateTimeReader = new DateTimeReader(), id?: string, time2: DateTimeReader = time): Flow | string {
  const facts = blankFacts();
  const why = nfdumpCsvFacts(f, c, facts, time, time2);
  return why ?? makeFlow(facts, origin, origin, id);
}

/** What the lines before decide for an nfdump csv row: the header's columns, the Summary block, a header that stops the file. */
interface CsvState {
  cols: Cols;
  summary: boolean;
  stopped: boolean;
}

const csvStart = (): CsvState => ({ cols: columns(NFDUMP_CSV_COLUMNS), summary: false, stopped: false });

const CSV_SCRATCH = { fields: new Fields(44), ts: new DateTimeReader(), te: new DateTimeReader(), facts: blankFacts() };

/** The rows of a batch of nfdump csv lines: each flow's facts, or a bad row's reason, to `row`. */
function csvLines(st: CsvState, lines: string[], first: number, ctx: ReadContext, row: RowSink): CsvState {
  const { fields, ts, te, facts } = CSV_SCRATCH;
  let cols = st.cols;
  for (let k = 0; k < lines.length; k++) {
    const t = lines[k];
    const ll = first + k;
    if (st.summary || t.length === 0) continue;
    const c0 = t.charCodeAt(0);
    if (c0 < 48 || c0 > 57) {
      if (t.startsWith('ts,te,')) {
        cols = st.cols = columns(t.split(','));
        if (cols.ts < 0 || cols.te < 0 || cols.sa < 0 || cols.da < 0 || cols.pr < 0 || cols.ipkt < 0 || cols.ibyt < 0) {
          ctx.diag.skip(ctx.source, ll, 'nfdump csv header without ts, te, sa, da, pr, ipkt or ibyt: the file is skipped');
          st.stopped = true;
          return st;
        }
        continue;
      }
      if (t === 'Summary') {
        st.summary = true; // then "flows,bytes,packets,…" and its values
        continue;
      }
      if (t.startsWith('No matching flows')) continue;
      ctx.diag.skip(ctx.source, ll, 'not an nfdump csv row');
      continue;
    }
    const why = nfdumpCsvFacts(fields.set(t, cols.last, cols.n), cols, facts, ts, te);
    if (why !== undefined) ctx.diag.skip(ctx.source, ll, why);
    else row(facts, ll);
  }
  return st;
}

/** The rows of an nfdump csv stream: each flow's facts, or a bad row's reason, to `row`; one yield a batch of lines. */
async function* csvRows(input: Readable, ctx: ReadContext, row: RowSink): AsyncGenerator<void> {
  const st = csvStart();
  for await (const batch of lineBatches(input)) {
    csvLines(st, batch.lines, batch.first, ctx, row);
    yield;
    if (st.stopped) return;
  }
}

/** nfdump csv chunk by chunk (text-parallel.ts) */
export const nfdumpCsvChunks: ChunkReader<CsvState> = lineChunks(csvStart, csvLines, { stopped: (s) => s.stopped });

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The facts of one nfdump JSON object into `facts` (cleared first); null for non-flow records, or the reason it is bad. */
function nfdumpJsonFacts(o: Record<string, unknown>, facts: FlowFacts, time: DateTimeReader): string | null | undefined {
  if (o.type !== undefined && o.type !== 'FLOW') return null;
  const first = str(o.first) ?? str(o.t_first);
  const last = str(o.last) ?? str(o.t_last);
  const start = first ? time.of(first) : NaN;
  const end = last === first ? start : last ? time.of(last) : start;
  if (Number.isNaN(start) || Number.isNaN(end)) return `bad or missing time ${first ?? ''}`;
  const why = badTimes(start, end);
  if (why) return why;
  const src = str(o.src4_addr) ?? str(o.src6_addr);
  const dst = str(o.dst4_addr) ?? str(o.dst6_addr);
  if (!src || !dst) return 'no src4_addr/src6_addr or dst4_addr/dst6_addr';
  const proto = num(o.proto);
  if (proto === undefined || proto > 255) return 'bad or missing proto';
  clearFacts(facts);
  facts.startMs = start;
  facts.endMs = end;
  facts.proto = proto;
  facts.src = src;
  facts.dst = dst;
  facts.pkts = num(o.in_packets) ?? 0;
  facts.bytes = num(o.in_bytes) ?? 0;
  if (proto === 1 || proto === 58) {
    facts.icmpType = num(o.icmp_type);
    facts.icmpCode = num(o.icmp_code);
  } else {
    facts.sport = num(o.src_port);
    facts.dport = num(o.dst_port);
  }
  const fl = str(o.tcp_flags);
  if (fl) {
    const b = flagsByte(fl);
    if (b >= 0) facts.flags = b;
  }
  const op = num(o.out_packets);
  const ob = num(o.out_bytes);
  if ((op ?? 0) > 0 || (ob ?? 0) > 0) {
    facts.rpkts = op ?? 0;
    facts.rbytes = ob ?? 0;
  }
  const smac = str(o.in_src_mac);
  const dmac = str(o.out_dst_mac) ?? str(o.in_dst_mac);
  if (smac && smac !== ZERO_MAC) facts.smac = smac.toLowerCase();
  if (dmac && dmac !== ZERO_MAC) facts.dmac = dmac.toLowerCase();
  const vlan = num(o.src_vlan);
  if (vlan) facts.vlan = vlan;
  return undefined;
}

/** A flow of one nfdump JSON object, undefined for non-flow records, or the reason it is bad. */
export function nfdumpJsonFlow(o: Record<string, unknown>, origin: string, id?: string): Flow | string | undefined {
  const facts = blankFacts();
  const why = nfdumpJsonFacts(o, facts, new DateTimeReader());
  if (why === null) return undefined;
  return why ?? makeFlow(facts, origin, origin, id);
}

const JSON_SCRATCH = { facts: blankFacts(), time: new DateTimeReader() };

/** The flows of a batch of nfdump JSON objects, each to `row` (its facts), bad ones reported. */
function jsonBatch(batch: ScannedObject[], ctx: ReadContext, row: RowSink): void {
  const { facts, time } = JSON_SCRATCH;
  for (const { text, line, bad, value } of batch) {
    if (bad !== undefined) {
      ctx.diag.skip(ctx.source, line, bad);
      continue;
    }
    let o: Record<string, unknown>;
    if (value !== undefined) o = value as Record<string, unknown>;
    else {
      try {
        o = JSON.parse(text) as Record<string, unknown>;
      } catch (err) {
        ctx.diag.skip(ctx.source, line, `not JSON (${(err as Error).message.slice(0, 80)})`);
        continue;
      }
    }
    const why = nfdumpJsonFacts(o, facts, time);
    if (why === null) continue;
    if (why !== undefined) ctx.diag.skip(ctx.source, line, why);
    else row(facts, line);
  }
}

/** The flows of an nfdump JSON stream, each to `row` (its facts), bad ones reported; one yield a batch. */
async function* jsonRows(input: Readable, ctx: ReadContext, row: RowSink): AsyncGenerator<void> {
  // bad lines come among the objects, so that every diagnostic is in line order
  const dec = new StringDecoder('utf8');
  const scan = new JsonScanner(undefined);
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    jsonBatch(scan.feed(typeof chunk === 'string' ? chunk : dec.write(chunk)), ctx, row);
    yield;
  }
  jsonBatch(scan.feed(dec.end()), ctx, row);
  jsonBatch(scan.end(), ctx, row);
  yield;
}

/** nfdump JSON chunk by chunk: the state is the object scanner's; chunks are cut after a line that closes an object. */
export const nfdumpJsonChunks: ChunkReader<JsonScanState> = {
  start: () => JSON_SCAN_START,
  key: (s) => JSON.stringify(s),
  text(state, text, first, out) {
    const ctx = out.ctx;
    const scan = new JsonScanner(undefined, first, state);
    const row = chunkRow(ctx.source, out.sink);
    jsonBatch(scan.feed(text), ctx, row);
    return scan.state();
  },
  end(state, out) {
    jsonBatch(new JsonScanner(undefined, 1, state).end(), out.ctx, chunkRow(out.ctx.source, out.sink));
  },
  cut(block) {
    // pretty-printed (-o json): an object ends with `}` at the start of a line
    const close = block.lastIndexOf('\n}');
    if (close >= 0) {
      const nl = block.indexOf(10, close + 1);
      if (nl >= 0) return nl + 1;
    }
    return block.lastIndexOf(10) + 1;
  },
};

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

const csvReaders = rowReaders(csvRows);
const jsonReaders = rowReaders(jsonRows);

export const nfdumpCsv: FormatReader = {
  name: 'nfdump-csv',
  describe: 'nfdump 1.7 -o csv (with or without header and summary)',
  sniff: sniffNfdumpCsv,
  ...csvReaders,
  // without --biflow: chunk by chunk in this thread, as the worker threads read it
  readText: (input, ctx) => (ctx.options.biflow === true ? csvReaders.readText!(input, ctx) : chunkedText('nfdump-csv', nfdumpCsvChunks as ChunkReader<unknown>, input, ctx)),
};

export const nfdumpJson: FormatReader = {
  name: 'nfdump-json',
  describe: 'nfdump 1.7 -o json (an array) or -o ndjson (one object a line)',
  sniff: sniffNfdumpJson,
  ...jsonReaders,
  readText: (input, ctx) => (ctx.options.biflow === true ? jsonReaders.readText!(input, ctx) : chunkedText('nfdump-json', nfdumpJsonChunks as ChunkReader<unknown>, input, ctx)),
};
