// Output sinks for the export writers: stdout or a file (the shared Output, with
// backpressure), and on a terminal a wrapper that escapes control characters from the data.
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { Output } from '../io.js';
import { escapeControl } from '../term.js';
import type { InputRecord } from '../io.js';
import type { ExportContext, ExportSink } from './types.js';

/** Escapes control characters in everything written, for a terminal. Newlines between lines stay. */
export class TerminalSink implements ExportSink {
  readonly isTTY = true;
  constructor(private readonly inner: Output) {}
  line(text: string): void | Promise<void> {
    return this.inner.line(escapeControl(text));
  }
  text(text: string): void | Promise<void> {
    // keep the structural line breaks of the format, escape every other control character
    return this.inner.text(text.split('\n').map(escapeControl).join('\n'));
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
}

/** The sink over an Output: a TerminalSink when it is a terminal, the Output itself otherwise. */
export function sinkFor(out: Output): ExportSink {
  return out.isTTY ? new TerminalSink(out) : out;
}

/** Open --out FILE for writing; a usage error (exit 2) when it cannot be created. */
export function openOutFile(path: string): Output {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw new UsageError(`--out: cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return new Output(createWriteStream('', { fd, highWaterMark: 1 << 20 }));
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * The loop of the line-per-record writers: each record becomes one line (or none, when
 * `toLine` returns undefined: it reported why), written in chunks of about 64 KiB with
 * backpressure; SIGINT/SIGTERM stops after the batch in hand.
 */
export async function writeLines(records: AsyncIterable<InputRecord[]>, ctx: ExportContext, toLine: (item: InputRecord) => string | undefined, eol = '\n'): Promise<void> {
  for await (const batch of records) {
    let chunk = '';
    for (const item of batch) {
      const line = toLine(item);
      if (line === undefined) continue;
      chunk += line + eol;
      if (chunk.length > 65536) {
        const p = ctx.out.text(chunk);
        chunk = '';
        if (p) await p;
      }
    }
    if (chunk) {
      const p = ctx.out.text(chunk);
      if (p) await p;
    }
    if (ctx.signal.aborted) break;
  }
}
