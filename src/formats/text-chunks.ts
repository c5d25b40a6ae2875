// The text readers as state machines over chunks of whole lines, so that worker threads can
// read a large file's chunks at once (text-parallel.ts). A reader's state is what its earlier
// lines decide for the later ones (nfdump and Argus header columns, Zeek's #fields and
// #separator, the flow ids Suricata holds for a join): plain data, cloned into a worker with
// each chunk. A chunk's diagnostics are collected and said by the main thread in input order.
import type { Diagnostics } from '../diag.js';
import type { IngestOptions, ReadContext } from './types.js';
import type { RowSink } from './netflow/rows.js';
import { IdHasher, jsonString, writeRowLine } from './netflow/normalize.js';
import type { TextSink } from './netflow/text.js';

/** A diagnostic of a chunk: 0 a skipped line (skip), 1 a warning; where; the message. */
export type ChunkNote = [0 | 1, string | number | undefined, string];

/** Diagnostics of a chunk, kept in order for the main thread (the source is always the chunk's). */
export class NoteDiag {
  notes: ChunkNote[] = [];
  skip(_source: string, where: string | number | undefined, message: string): void {
    this.notes.push([0, where, message]);
  }
  warn(message: string, _source?: string, where?: string | number): void {
    this.notes.push([1, where, message]);
  }
  info(message: string): void {
    this.notes.push([1, undefined, message]);
  }
}

/** Say a chunk's notes through the real diagnostics, for its source. */
export function replayNotes(notes: ChunkNote[], diag: Diagnostics, source: string): void {
  for (const [kind, where, message] of notes) {
    if (kind === 0) diag.skip(source, where, message);
    else diag.warn(message, source, where);
  }
}

/** What a chunk reader writes into: NDJSON text, the reading context (its diag collects notes), counts summed over chunks. */
export interface ChunkOut {
  sink: TextSink;
  ctx: ReadContext;
  counts: Record<string, number>;
  /** set by a reader that cannot go on chunk by chunk: the index of the first line it did not read; the rest of the source goes to `rest` */
  handoff?: number;
}

/** The options a chunk reader may use (what a worker is given). */
export type ChunkOptions = Pick<IngestOptions, 'map' | 'timeFormat'>;

/** A reader's chunk-by-chunk form. `S` is plain data (structured-cloneable). */
export interface ChunkReader<S> {
  /** the state at the start of a source */
  start(): S;
  /** the NDJSON of a chunk of whole lines (its first line is number `first`) into out; the state after it (the given one, changed, or another) */
  text(state: S, text: string, first: number, out: ChunkOut): S;
  /** equal keys: equal states (what the lines after decide by) */
  key(state: S): string;
  /** true when the rest of the source is not read (a header that makes the file unreadable) */
  stopped?(state: S): boolean;
  /** after the last chunk: what only the end of a source says (counts of passed-over lines, an unfinished object) */
  end?(state: S, out: ChunkOut): void;
  /** where to cut a block of input into a chunk and the rest: one past a line end (default: after the last \n); 0 when no cut is possible yet */
  cut?(block: Buffer): number;
  /** after a handoff: the NDJSON of the rest of the source (from line `first` on), read another way */
  rest?(state: S, input: AsyncIterable<Buffer>, first: number, out: ChunkOut): AsyncIterable<string>;
}

/** The lines of a chunk's text as lineBatches cuts them (no terminators, a CR before \n dropped; a last line without \n kept). */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let from = 0;
  const n = text.length;
  for (;;) {
    const nl = text.indexOf('\n', from);
    if (nl < 0) break;
    const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    lines.push(text.slice(from, end));
    from = nl + 1;
  }
  if (from < n) lines.push(text.charCodeAt(n - 1) === 13 ? text.slice(from, n - 1) : text.slice(from));
  return lines;
}

/**
 * The RowSink of a reader's text path: each row as one NDJSON line into `sink` (origin
 * SOURCE:LINE, the id of the line, the source's own Community ID, one extra field).
 */
export function textRows(source: string, sink: () => TextSink): RowSink {
  const ids = new IdHasher(`${source}:`);
  const originHead = Buffer.from(JSON.stringify(`${source}:`).slice(0, -1), 'utf8');
  // the extra field's text of the last few values (Argus' State: a handful of words)
  let tails = new Map<string, string>();
  let tailKey = '';
  const tailOf = (key: string, value: string): string => {
    if (key !== tailKey || tails.size >= 64) {
      tails = new Map();
      tailKey = key;
    }
    let t = tails.get(value);
    if (t === undefined) {
      t = `,${jsonString(key)}:${jsonString(value)}`;
      tails.set(value, t);
    }
    return t;
  };
  return (facts, line, communityId, extraKey, extraValue) =>
    writeRowLine(sink(), facts, originHead, line, ids, communityId || undefined, extraKey && extraValue ? tailOf(extraKey, extraValue) : '');
}

/** A chunk reader of a reader whose rows come from lines: `lines` reads one batch of lines into `row`. */
export function lineChunks<S>(
  start: () => S,
  lines: (state: S, lines: string[], first: number, ctx: ReadContext, row: RowSink, counts: Record<string, number>) => S,
  extra: Omit<ChunkReader<S>, 'start' | 'text' | 'key'> & { key?: (s: S) => string } = {},
): ChunkReader<S> {
  let rowFor: { source: string; sink: TextSink | undefined; row: RowSink } | undefined;
  return {
    start,
    key: extra.key ?? ((s) => JSON.stringify(s)),
    text(state, text, first, out) {
      if (!rowFor || rowFor.source !== out.ctx.source) {
        const r: { source: string; sink: TextSink | undefined; row: RowSink } = { source: out.ctx.source, sink: undefined, row: undefined as unknown as RowSink };
        r.row = textRows(out.ctx.source, () => r.sink!);
        rowFor = r;
      }
      rowFor.sink = out.sink;
      return lines(state, splitLines(text), first, out.ctx, rowFor.row, out.counts);
    },
    stopped: extra.stopped,
    end: extra.end,
    cut: extra.cut,
    rest: extra.rest,
  };
}

/** The chunk readers by format name, loaded when first wanted (in the main thread and in workers). */
export const CHUNK_READERS: Record<string, () => Promise<ChunkReader<unknown>>> = {
  'nfdump-csv': async () => (await import('./nfdump.js')).nfdumpCsvChunks as ChunkReader<unknown>,
  'nfdump-json': async () => (await import('./nfdump.js')).nfdumpJsonChunks as ChunkReader<unknown>,
  argus: async () => (await import('./argus.js')).argusChunks as ChunkReader<unknown>,
  zeek: async () => (await import('./zeek.js')).zeekChunks as ChunkReader<unknown>,
  suricata: async () => (await import('./suricata.js')).suricataChunks as ChunkReader<unknown>,
  csv: async () => (await import('./csvmap.js')).csvChunks as ChunkReader<unknown>,
};
