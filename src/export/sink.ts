// Output sinks for the export writers: stdout or a file (the shared Output, with
// backpressure), and on a terminal a wrapper that escapes control characters from the data.
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { Output } from '../io.js';
import { escapeControl } from '../term.js';
import type { ExportSink } from './types.js';

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
