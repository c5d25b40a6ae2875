// The two output paths of a text reader, written once: a reader supplies its rows (the facts
// of each good line), and gets `read` (flow objects, paired with --biflow) and `readText`
// (NDJSON written straight into a byte sink, as fast as the capture path).
import type { Readable } from 'node:stream';
import type { Flow } from '../../record.js';
import type { FormatReader, ReadContext } from '../types.js';
import { pairBatches } from './biflow.js';
import { asText, IdHasher, makeFlow, type FlowFacts } from './normalize.js';
import { textRows } from '../text-chunks.js';
import { TextSink } from './text.js';

/**
 * One good line: its facts, its line number, a Community ID the source gave (it replaces the
 * computed one), and one extra string field the format adds after the contract's fields.
 */
export type RowSink = (facts: FlowFacts, line: number, communityId?: string, extraKey?: string, extraValue?: string) => void;

/** A reader's rows: calls `row` for each good line, reports the bad ones, yields once per batch. */
export type Rows = (input: Readable, ctx: ReadContext, row: RowSink) => AsyncIterable<void>;

/** `read` and `readText` of a text reader from its rows; `pairable`: --biflow pairs its records. */
export function rowReaders(rows: Rows, pairable = true): Pick<FormatReader, 'read' | 'readText'> {
  async function* read(input: Readable, ctx: ReadContext): AsyncGenerator<Flow[]> {
    const ids = new IdHasher(`${ctx.source}:`);
    let out: Flow[] = [];
    const row: RowSink = (facts, line, communityId, extraKey, extraValue) => {
      const origin = `${ctx.source}:${line}`;
      const f = makeFlow(facts, origin, origin, ids.id(line));
      if (communityId) f.community_id = communityId;
      if (extraKey && extraValue) f[extraKey] = extraValue;
      out.push(f);
    };
    for await (const _ of rows(input, ctx, row)) {
      if (out.length) yield out;
      out = [];
    }
    if (out.length) yield out;
  }

  async function* readText(input: Readable, ctx: ReadContext): AsyncGenerator<string> {
    const out = new TextSink();
    const row = textRows(ctx.source, () => out);
    for await (const _ of rows(input, ctx, row)) if (!out.empty) yield out.take();
    if (!out.empty) yield out.take();
  }

  if (!pairable) return { read, readText };
  return {
    read: (input, ctx) => pairBatches(read(input, ctx), ctx.options.biflow === true),
    // without --biflow the records are written as text directly (the pairer needs objects)
    readText: (input, ctx) => (ctx.options.biflow === true ? asText(pairBatches(read(input, ctx), true)) : readText(input, ctx)),
  };
}
