// Argus client output: `ra -c , -n -u -s …` CSV with ra's header row (StartTime, SrcAddr, …).
// Argus flows are bidirectional (SrcPkts/DstPkts). Argus counts bytes on the wire, link header
// included: where the record has MAC addresses (Ethernet) fir subtracts the 14-byte Ethernet
// header per packet to get the IP bytes of the contract.
import type { Readable } from 'node:stream';
import type { Flow } from '../record.js';
import { badTimes, blankFacts, clearFacts, makeFlow, protoNumber, type FlowFacts } from './netflow/normalize.js';
import { Fields, intOf, lineBatches, parseDateTime, parseEpochSeconds } from './netflow/text.js';
import { rowReaders, type RowSink } from './netflow/rows.js';
import { lineChunks, type ChunkReader } from './text-chunks.js';
import { chunkedText } from './text-parallel.js';
import type { FormatReader, ReadContext } from './types.js';
import { sniffArgus } from './text-sniff.js';

export { sniffArgus };

/** Common service names ra prints without -n. */
const SERVICES: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68, http: 80, pop3: 110, ntp: 123, 'netbios-ns': 137,
  'netbios-ssn': 139, imap: 143, snmp: 161, ldap: 389, https: 443, 'microsoft-ds': 445, submission: 587, imaps: 993, pop3s: 995,
  'ms-sql-s': 1433, mysql: 3306, 'ms-wbt-server': 3389, postgresql: 5432, 'http-alt': 8080,
};

function port(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  if (t.startsWith('0x')) {
    const v = parseInt(t.slice(2), 16);
    return Number.isNaN(v) || v > 65535 ? undefined : v;
  }
  const v = intOf(t);
  if (v !== undefined) return v <= 65535 ? v : undefined;
  return SERVICES[t];
}

function time(s: string): number {
  const t = s.trim();
  const e = parseEpochSeconds(t);
  return Number.isNaN(e) ? parseDateTime(t) : e;
}

/** Where each column fir reads is, -1 when the header lacks it. */
export interface Cols {
  [k: string]: number;
}

const COLUMN_NAMES = ['StartTime', 'LastTime', 'Dur', 'Proto', 'SrcAddr', 'DstAddr', 'Sport', 'Dport', 'SrcPkts', 'DstPkts', 'SrcBytes', 'DstBytes', 'TotPkts', 'TotBytes', 'State', 'SrcMac', 'DstMac'] as const;
const [START, LAST, DUR, PROTO, SRC, DST, SPORT, DPORT, SPKTS, DPKTS, SBYTES, DBYTES, TPKTS, TBYTES, STATE, SMAC, DMAC] = COLUMN_NAMES.map((_, i) => i);

const MAC = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;

/** true when s is already `aa:bb:cc:dd:ee:ff` in lower case and not all zeros */
function plainMac(s: string): boolean {
  if (s.length !== 17) return false;
  let zero = true;
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 58) return false;
    } else if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) {
      if (c !== 48) zero = false;
    } else return false;
  }
  return !zero;
}

function mac(s: string | undefined): string | undefined {
  if (s && plainMac(s)) return s;
  if (!s || !MAC.test(s.trim())) return undefined;
  const m = s.trim().toLowerCase().split(':').map((p) => p.padStart(2, '0')).join(':');
  return m === '00:00:00:00:00:00' ? undefined : m;
}

/** The column index of each name of COLUMN_NAMES, in that order. */
function columnIndex(c: Cols): Int32Array {
  return Int32Array.from(COLUMN_NAMES, (k) => c[k] ?? -1);
}

/** ra's State of the last row argusFacts read */
interface RowState {
  state: string | undefined;
}

/** field i of a row, trimmed as String.trim does (undefined when the row has fewer fields); sliced only, when nothing is to trim */
function field(f: Fields, i: number): string | undefined {
  if (i < 0 || i >= f.n) return undefined;
  const line = f.line;
  const a = f.from(i);
  const b = f.to(i);
  if (a === b) return '';
  const c0 = line.charCodeAt(a);
  const c1 = line.charCodeAt(b - 1);
  if (c0 > 32 && c0 < 127 && c1 > 32 && c1 < 127) return line.slice(a, b);
  return line.slice(a, b).trim();
}

/** intOf(field(f, i)), read in place when the field is plain digits */
function intField(f: Fields, i: number): number | undefined {
  const v = f.int(i);
  return v >= 0 ? v : intOf(field(f, i));
}

/** port(field(f, i)) (undefined for a missing field), read in place when the field is plain digits */
function portField(f: Fields, i: number): number | undefined {
  const v = f.int(i);
  if (v >= 0) return v <= 65535 ? v : undefined;
  const t = field(f, i);
  return t !== undefined ? port(t) : undefined;
}

/** One ra row (its comma-separated fields located) read into `facts` (cleared first) and `st`: null for management records, a reason when bad, undefined when read. */
function argusFacts(f: Fields, col: Int32Array, facts: FlowFacts, st: RowState): string | null | undefined {
  const get = (k: number): string | undefined => field(f, col[k]);
  const protoText = get(PROTO) ?? '';
  if (protoText === 'man') return null; // argus management records
  const proto = protoText === 'tcp' ? 6 : protoText === 'udp' ? 17 : protoNumber(protoText);
  if (proto < 0) return `bad protocol ${protoText}`;
  const stt = get(START);
  const lt = get(LAST);
  let start = stt !== undefined ? time(stt) : NaN;
  let end = lt === stt ? start : lt !== undefined ? time(lt) : NaN;
  if (Number.isNaN(start) && !Number.isNaN(end)) start = end;
  if (Number.isNaN(start)) return `time ${stt ?? lt ?? ''} has no date: write it with ra -u (epoch seconds)`;
  if (Number.isNaN(end)) {
    const dur = Number(get(DUR));
    end = Number.isFinite(dur) ? start + Math.round(dur * 1000) : start;
  }
  const why = badTimes(start, end);
  if (why) return why;
  const src = get(SRC);
  const dst = get(DST);
  if (!src || !dst) return 'no SrcAddr or DstAddr';
  const spk = intField(f, col[SPKTS]);
  const dpk = intField(f, col[DPKTS]);
  const sby = intField(f, col[SBYTES]);
  const dby = intField(f, col[DBYTES]);
  const smac = mac(get(SMAC));
  const dmac = mac(get(DMAC));
  const eth = smac !== undefined || dmac !== undefined;
  const ip = (b: number, p: number) => (eth ? Math.max(0, b - 14 * p) : b);
  clearFacts(facts);
  facts.startMs = start;
  facts.endMs = end;
  facts.proto = proto;
  facts.src = src;
  facts.dst = dst;
  if (spk !== undefined && sby !== undefined) {
    facts.pkts = spk;
    facts.bytes = ip(sby, spk);
    if (dpk !== undefined && dby !== undefined) {
      facts.rpkts = dpk;
      facts.rbytes = ip(dby, dpk);
    }
  } else {
    const totP = intField(f, col[TPKTS]);
    const totB = intField(f, col[TBYTES]);
    if (totP === undefined || totB === undefined) return 'no SrcPkts/SrcBytes or TotPkts/TotBytes';
    // only totals: both directions together, unidirectional as far as the contract can say
    facts.pkts = totP;
    facts.bytes = ip(totB, totP);
  }
  if (proto === 1 || proto === 58) {
    // ra writes the ICMP type in Sport (hex)
    const ty = portField(f, col[SPORT]);
    if (ty !== undefined && ty < 256) facts.icmpType = ty;
  } else if (proto === 6 || proto === 17 || proto === 132) {
    facts.sport = portField(f, col[SPORT]);
    facts.dport = portField(f, col[DPORT]);
    if (facts.sport === undefined || facts.dport === undefined) return `bad port ${get(SPORT) ?? ''} ${get(DPORT) ?? ''} (ra -n writes numbers)`;
  }
  const state = get(STATE);
  // REQ: a connection request that got no answer, Zeek's S0
  if (proto === 6 && state === 'REQ' && (facts.rpkts ?? 0) === 0) facts.state = 'S0';
  if (smac) facts.smac = smac;
  if (dmac) facts.dmac = dmac;
  st.state = state;
  return undefined;
}

/** A flow of one ra row; undefined for management records; a reason when bad. */
export function argusFlow(f: string[], c: Cols, origin: string, id?: string): Flow | string | undefined {
  const facts = blankFacts();
  const st: RowState = { state: undefined };
  const col = columnIndex(c);
  const why = argusFacts(new Fields(44, Math.max(...col, 0) + 2).set(f.join(','), Math.max(...col, 0)), col, facts, st);
  if (why === null) return undefined;
  if (why !== undefined) return why;
  const flow = makeFlow(facts, origin, origin, id);
  if (st.state) flow.argus_state = st.state;
  return flow;
}

/** What the lines before decide for an ra row: the header's columns (none yet: the next line is the header), a header that stops the file. */
interface ArgusState {
  col: number[] | null;
  stopped: boolean;
}

const argusStart = (): ArgusState => ({ col: null, stopped: false });

const SCRATCH = { facts: blankFacts(), st: { state: undefined } as RowState, col: new Int32Array(0) as Int32Array, of: null as number[] | null, fields: new Fields(44, 2), last: 0 };

/** the columns of a header into SCRATCH (the fields of a row located up to the last of them) */
function useColumns(col: Int32Array): void {
  SCRATCH.col = col;
  let last = 0;
  for (let k = 0; k < col.length; k++) if (col[k] > last) last = col[k];
  SCRATCH.last = last;
  if (SCRATCH.fields.starts.length < last + 4) SCRATCH.fields = new Fields(44, last + 2);
}

/** The rows of a batch of ra csv lines, each to `row`: its facts and State, or a bad row's reason. */
function argusLines(s: ArgusState, lines: string[], first: number, ctx: ReadContext, row: RowSink): ArgusState {
  const { facts, st } = SCRATCH;
  if (s.col !== SCRATCH.of) {
    SCRATCH.of = s.col;
    useColumns(Int32Array.from(s.col ?? []));
  }
  for (let k = 0; k < lines.length; k++) {
    if (s.stopped) return s;
    const lt = lines[k];
    const ll = first + k;
    if (lt.length === 0) continue;
    if (!s.col) {
      const cols: Cols = {};
      lt.split(',').forEach((name, i) => (cols[name.trim()] = i));
      const col = columnIndex(cols);
      s.col = SCRATCH.of = Array.from(col);
      useColumns(col);
      if (col[SRC] < 0 || col[DST] < 0 || col[PROTO] < 0) {
        ctx.diag.skip(ctx.source, ll, 'Argus csv header without SrcAddr, DstAddr and Proto: the file is skipped');
        s.stopped = true;
      }
      continue;
    }
    // only the fields up to the last column read are located (and counted up to one past it)
    const why = argusFacts(SCRATCH.fields.set(lt, SCRATCH.last, SCRATCH.last + 2), SCRATCH.col, facts, st);
    if (why === null) continue;
    if (why !== undefined) ctx.diag.skip(ctx.source, ll, why);
    else row(facts, ll, undefined, 'argus_state', st.state);
  }
  return s;
}

/** The rows of an ra csv stream, each to `row`: its facts and State, or a bad row's reason; one yield a batch of lines. */
async function* rows(input: Readable, ctx: ReadContext, row: RowSink): AsyncGenerator<void> {
  const s = argusStart();
  for await (const batch of lineBatches(input)) {
    argusLines(s, batch.lines, batch.first, ctx, row);
    yield;
    if (s.stopped) return;
  }
}

/** Argus csv chunk by chunk (text-parallel.ts) */
export const argusChunks: ChunkReader<ArgusState> = lineChunks(argusStart, argusLines, { stopped: (s) => s.stopped });

const argusReaders = rowReaders(rows);

export const argusCsv: FormatReader = {
  name: 'argus',
  describe: 'Argus ra -c , CSV with its header row (use ra -n -u)',
  sniff: sniffArgus,
  ...argusReaders,
  // without --biflow: chunk by chunk in this thread, as the worker threads read it
  readText: (input, ctx) => (ctx.options.biflow === true ? argusReaders.readText!(input, ctx) : chunkedText('argus', argusChunks as ChunkReader<unknown>, input, ctx)),
};
