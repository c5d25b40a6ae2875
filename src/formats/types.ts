// The interface every input format of `fir ingest` implements (one file per format, one line
// in formats/index.ts). The ingest command sniffs the first bytes of each source (after
// gunzip), picks the first reader whose sniff() accepts them, or the one named by --format.
import type { Readable } from 'node:stream';
import type { Diagnostics } from '../diag.js';
import type { AnyRecord } from '../record.js';

export interface IngestOptions {
  /** idle timeout of the flow meter, ms */
  idleTimeoutMs: number;
  /** active timeout of the flow meter, ms */
  activeTimeoutMs: number;
  /** pair the two directions of unidirectional flow exports into one record */
  biflow: boolean;
  /** column map for generic CSV (`--map 'src=SrcAddr,…'`), already split into field → column */
  map?: Record<string, string>;
  /** time format for generic CSV, when not sniffed */
  timeFormat?: string;
  /** progress line on stderr (a terminal) */
  progress: boolean;
  /** anything else a reader needs from the command line */
  [k: string]: unknown;
}

export interface ReadContext {
  /** the source's display name (file name or `stdin`), used in `origin` and diagnostics */
  source: string;
  diag: Diagnostics;
  options: IngestOptions;
  /** called now and then with the bytes read so far (for a progress line) */
  progress?: (bytes: number, packets: number) => void;
  /** SIGINT/SIGTERM: stop reading, write what is known and return */
  signal?: AbortSignal;
}

export interface FormatReader {
  /** the --format name */
  name: string;
  describe: string;
  /** true when these first bytes (up to 64 KiB, decompressed) are this format */
  sniff(head: Buffer): boolean;
  /** the records of one source, in batches; damage is reported through ctx.diag and skipped */
  read(input: Readable, ctx: ReadContext): AsyncIterable<AnyRecord[]>;
  /** optional: the same records as NDJSON text (lines ending in \n; a string, or its UTF-8 bytes), for a reader that can make it faster */
  readText?(input: Readable, ctx: ReadContext): AsyncIterable<string | Uint8Array>;
}
