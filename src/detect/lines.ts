// The input of fir detect as chunks of whole lines (one per read of up to 1 MiB), not one
// object per line: the detection loop walks a chunk's lines itself, and in two-thread mode the
// same chunk text goes to the worker as it is. The chunks are those of readTextChunks (src/io.ts),
// which readLineBatches splits into lines: the same lines, numbers and reports.
import { readTextChunks, type SourceOptions } from '../io.js';

export interface LineChunk {
  /** whole lines joined by `\n`, without the last line's terminator (a line may still end in CR) */
  text: string;
  source: string;
  /** 1-based number of the first line within the source */
  line: number;
  /** how many lines `text` holds */
  lines: number;
}

/** Count the lines of a chunk's text (one more than its `\n`s). */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export async function* readLineChunks(sources: string[], opts: SourceOptions = {}): AsyncGenerator<LineChunk> {
  let lineNo = 0;
  for await (const c of readTextChunks(sources, opts)) {
    if (c.start) lineNo = 0;
    const n = countLines(c.text);
    yield { text: c.text, source: c.source, line: lineNo + 1, lines: n };
    lineNo += n;
  }
}
