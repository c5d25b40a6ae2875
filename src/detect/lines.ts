// The input of fir detect as chunks of whole lines (one per read of up to 1 MiB), not one
// object per line: the detection loop walks a chunk's lines itself, and in two-thread mode the
// same chunk text goes to the worker as it is. Lines, their numbers, the CR and UTF-8 handling and
// the reports of unreadable sources are those of readLineBatches (src/io.ts).
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { openSource, reportOpenError, sourceName, type SourceOptions } from '../io.js';

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
  const list = sources.length ? sources : ['-'];
  for (const arg of list) {
    const source = sourceName(arg);
    let stream: Readable;
    try {
      stream = openSource(arg, opts);
    } catch (err) {
      reportOpenError(opts.diag, source, err);
      continue;
    }
    const decoder = new StringDecoder('utf8');
    // ASCII chunks skip UTF-8 decoding when the decoder holds no partial character
    let whole = true;
    let rest = '';
    let lineNo = 0;
    try {
      for await (const chunk of stream) {
        let text: string;
        if (typeof chunk === 'string') text = rest + chunk;
        else {
          const buf = chunk as Buffer;
          text = rest + (whole && isAscii(buf) ? buf.toString('latin1') : decoder.write(buf));
          if (buf.length) whole = buf[buf.length - 1] < 0x80;
        }
        const last = text.lastIndexOf('\n');
        if (last < 0) {
          rest = text;
          continue;
        }
        const body = text.slice(0, last);
        rest = text.slice(last + 1);
        const n = countLines(body);
        yield { text: body, source, line: lineNo + 1, lines: n };
        lineNo += n;
      }
    } catch (err) {
      reportOpenError(opts.diag, source, err);
      continue;
    }
    rest += decoder.end();
    if (rest.length) yield { text: rest, source, line: lineNo + 1, lines: 1 };
  }
}
