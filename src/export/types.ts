// The interface every `fir export --format F` writer implements: one file per format in
// src/export/, one line in src/export/index.ts. The command reads the input records and
// hands them over in batches; the writer turns them into its format and returns the exit
// status (0, or 1 when some record could not be written and was reported with ctx.diag).
import type { Diagnostics } from '../diag.js';
import type { InputRecord } from '../io.js';

/** Where a writer's output goes, as the command prepared it. */
export interface ExportSink {
  /** queue a line (without its newline); returns a promise only when the caller must wait */
  line(text: string): void | Promise<void>;
  /** queue raw text */
  text(text: string): void | Promise<void>;
  /** write what is queued */
  flush(): Promise<void>;
  /** true when the sink is a terminal: the sink already escapes control characters then */
  readonly isTTY: boolean;
}

export interface ExportOptions {
  /** --out: a file for stream writers (the command opens it as ctx.out), a folder for 'dir' writers */
  out?: string;
  /** --to URL (udp://HOST:PORT, tcp://HOST:PORT) for writers with `acceptsTo` */
  to?: string;
  /** --columns LIST (csv): the column set, in order */
  columns?: string[];
  /** every parsed flag of the command line, for format-specific options */
  args: Record<string, unknown>;
}

export interface ExportContext {
  /** stdout, or the --out file for `output: 'stream'` writers */
  out: ExportSink;
  diag: Diagnostics;
  /** the input arguments as given (`-` is stdin), for manifests */
  sources: string[];
  /** the command line as typed, for manifests */
  argv: string[];
  /** SIGINT/SIGTERM: stop, flush what was taken and return */
  signal: AbortSignal;
  stderr: { write(s: string): unknown };
}

export interface ExportWriter {
  /**
   * 'stream': writes text to ctx.out (stdout, or the file of --out, opened by the command);
   * 'dir': writes itself into the folder named by --out (required);
   * 'file': writes itself into the file named by --out (required).
   */
  output: 'stream' | 'dir' | 'file';
  /** accepts --to URL (network delivery) */
  acceptsTo?: boolean;
  run(records: AsyncIterable<InputRecord[]>, opts: ExportOptions, ctx: ExportContext): Promise<number>;
}

/** One line of the registry: the writer module is loaded only when its format is used. */
export interface ExportEntry {
  /** the --format name */
  name: string;
  describe: string;
  load: () => Promise<{ default: ExportWriter }>;
}
