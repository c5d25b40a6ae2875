// `fir ingest` as a transform: open each source (a file or stdin), gunzip it when its first
// bytes are the gzip magic, sniff the format from the first 64 KiB (or take --format), and
// pass the records of the format's reader through. A source that cannot be opened or read is
// reported and skipped; the others are still read.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Diagnostics } from '../diag.js';
import { formatByName, formats, sniffPcap, sniffPcapng, type FormatEntry } from '../formats/index.js';
import type { IngestOptions } from '../formats/types.js';
import type { AnyRecord } from '../record.js';

export interface IngestRun {
  /** source arguments; `-` (or none) is stdin */
  sources: string[];
  /** --format: a reader name; undefined sniffs */
  format?: string;
  options: IngestOptions;
  diag: Diagnostics;
  stdin: Readable;
  /** stop reading when aborted (SIGINT/SIGTERM) */
  signal?: AbortSignal;
  /** worker threads for a large capture file, or a text file of more than one chunk (1: read it in this thread) */
  threads?: number;
  /** a capture file of parallelMinBytes or more read in one thread (threads 1) has its flow lines written by a writer thread */
  writerThread?: boolean;
  /** worker threads for a large text file, when they differ from `threads` (the default of the command) */
  textThreads?: number;
  /** the size from which a capture file is read by the worker threads (default PARALLEL_MIN_BYTES) */
  parallelMinBytes?: number;
  /** the bytes of a chunk of a text file read by worker threads (default text-parallel.ts's CHUNK) */
  textChunkBytes?: number;
  /** tests: the chunks of a text file wait for the worker threads to start rather than being read in this thread */
  textWaitWorkers?: boolean;
  /** progress callback: source name, bytes read, total bytes (when known), packets */
  progress?: (source: string, bytes: number, total: number | undefined, packets: number) => void;
}

const SNIFF_BYTES = 64 * 1024;
/** captures at least this large are read by worker threads when more than one is allowed */
export const PARALLEL_MIN_BYTES = 64 << 20;
/** large reads: a capture is walked at millions of packets a second */
const READ_CHUNK = 4 << 20;

/**
 * Records of every source in order, in batches; a large capture read by worker threads comes
 * as NDJSON text (a string) instead, already serialised by the workers, and a text format read
 * by worker threads as NDJSON in UTF-8 bytes.
 */
export async function* ingest(run: IngestRun): AsyncGenerator<AnyRecord[] | string | Uint8Array> {
  const list = run.sources.length ? run.sources : ['-'];
  for (const arg of list) {
    if (run.signal?.aborted) return;
    const source = arg === '-' ? 'stdin' : arg;
    let raw: Readable;
    let total: number | undefined;
    let regular = false;
    try {
      if (arg === '-') {
        raw = run.stdin;
      } else {
        const st = statSync(arg);
        if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
        total = st.size;
        regular = st.isFile();
        const threads = run.threads ?? 1;
        if (threads > 1 && st.size >= (run.parallelMinBytes ?? PARALLEL_MIN_BYTES)) {
          const format = captureFormat(arg, run.format);
          if (format) {
            const progress = run.progress;
            const { meterOptions } = await import('../formats/capture.js');
            const { parallelCapture } = await import('../formats/capture-parallel.js');
            yield* parallelCapture({
              path: arg,
              origin: source,
              format,
              meter: meterOptions(run.options),
              shards: threads,
              diag: run.diag,
              progress: progress ? (bytes, packets) => progress(source, bytes, total, packets) : undefined,
              signal: run.signal,
            });
            continue;
          }
        }
        if (st.isFile()) {
          // an uncompressed capture file is read in place with reused buffers (no stream)
          const format = captureFormat(arg, run.format);
          if (format) {
            const progress = run.progress;
            const ctx = {
              source,
              diag: run.diag,
              options: run.options,
              progress: progress ? (bytes: number, packets: number) => progress(source, bytes, total, packets) : undefined,
              signal: run.signal,
            };
            const { meterCaptureFile } = await import('../formats/capture.js');
            const { PcapParser } = await import('../formats/pcap.js');
            const { PcapngParser } = await import('../formats/pcapng.js');
            const writer = run.writerThread === true && st.size >= (run.parallelMinBytes ?? PARALLEL_MIN_BYTES);
            yield* meterCaptureFile(arg, ctx, format === 'pcap' ? (meter, damage) => new PcapParser(meter, damage) : (meter, damage) => new PcapngParser(meter, damage), writer);
            continue;
          }
        }
        raw = createReadStream(arg, { highWaterMark: READ_CHUNK });
      }
    } catch (err) {
      run.diag.skip(source, undefined, `cannot read: ${openReason(err)}`);
      continue;
    }
    // an interrupt ends a read that waits for input (a quiet pipe) as well
    const onAbort = () => raw.destroy();
    run.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      yield* ingestStream(raw, source, total, run, regular);
    } finally {
      run.signal?.removeEventListener('abort', onAbort);
      if (arg !== '-') raw.destroy();
    }
  }
}

/** pcap or pcapng when the file is an uncompressed capture (and --format allows it). */
function captureFormat(path: string, forced: string | undefined): 'pcap' | 'pcapng' | undefined {
  if (forced !== undefined && forced !== 'pcap' && forced !== 'pcapng') return undefined;
  const head = Buffer.alloc(64);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const h = head.subarray(0, n);
  if (sniffPcap(h) && (forced ?? 'pcap') === 'pcap') return 'pcap';
  if (sniffPcapng(h) && (forced ?? 'pcapng') === 'pcapng') return 'pcapng';
  return undefined;
}

async function* ingestStream(raw: Readable, source: string, total: number | undefined, run: IngestRun, regular: boolean): AsyncGenerator<AnyRecord[] | string | Uint8Array> {
  // the first bytes decide gzip and the format; they are put back in front of the rest
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first: Buffer | undefined;
  try {
    const r = await it.next();
    if (!r.done) first = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
  } catch (err) {
    run.diag.skip(source, undefined, `cannot read: ${openReason(err)}`);
    return;
  }
  if (!first || first.length === 0) {
    run.diag.skip(source, undefined, 'empty input');
    return;
  }
  let stream: Readable = Readable.from(prepend([first], it), { objectMode: false });
  const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    stream.on('error', (e) => gunzip.destroy(e));
    stream = stream.pipe(gunzip);
  }
  const it2 = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headLen = 0;
  let readError: unknown;
  try {
    while (headLen < SNIFF_BYTES) {
      const r = await it2.next();
      if (r.done) break;
      head.push(r.value);
      headLen += r.value.length;
    }
  } catch (err) {
    readError = err;
  }
  const headBuf = Buffer.concat(head);
  let reader: FormatEntry | undefined;
  if (run.format) {
    reader = formatByName(run.format);
  } else {
    reader = formats.find((f) => {
      try {
        return f.sniff(headBuf.subarray(0, SNIFF_BYTES));
      } catch {
        return false;
      }
    });
  }
  if (!reader) {
    if (readError) run.diag.skip(source, undefined, `cannot read${gzip ? ' (gzip)' : ''}: ${openReason(readError)}`);
    else if (headBuf.length === 0) run.diag.skip(source, undefined, gzip ? 'empty input after gunzip' : 'empty input');
    else run.diag.skip(source, undefined, `unknown format${gzip ? ' (inside gzip)' : ''}: not one of ${formats.map((f) => f.name).join(', ')} (--format names one)`);
    return;
  }
  const body = Readable.from(asInputError(readError ? failAfter(head, readError) : prepend(head, it2)), { objectMode: false });
  const progress = run.progress;
  const onProgress = progress && !gzip ? (bytes: number, packets: number) => progress(source, bytes, total, packets) : progress ? (bytes: number, packets: number) => progress(source, bytes, undefined, packets) : undefined;
  const ctx = { source, diag: run.diag, options: run.options, progress: onProgress, signal: run.signal };
  try {
    const textThreads = run.textThreads ?? run.threads ?? 1;
    if (textThreads > 1 && regular && (await chunkable(reader, source, run.options))) {
      const { parallelText } = await import('../formats/text-parallel.js');
      const { CHUNK_READERS } = await import('../formats/text-chunks.js');
      const chunks = await CHUNK_READERS[reader.name]();
      yield* parallelText({ format: reader.name, reader: chunks, input: body, ctx, threads: textThreads, chunkBytes: run.textChunkBytes, waitWorkers: run.textWaitWorkers });
      return;
    }
    const r = await reader.load();
    if (r.readText) yield* r.readText(body, ctx);
    else yield* r.read(body, ctx);
  } catch (err) {
    // the input failed under the reader (a gzip stream cut short, a read error): what was read
    // before is written; the source is reported, the others are still read
    if (!(err instanceof InputError)) throw err;
    run.diag.skip(source, undefined, `read error${gzip ? ' (gzip)' : ''}: ${err.message}: the records before it are written`);
  }
}

/** An error of the input stream itself (not of the reader), with the reason to report. */
class InputError extends Error {}

/** The chunks of `src`, with its failure turned into an InputError. */
async function* asInputError(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* src;
  } catch (err) {
    throw new InputError(openReason(err));
  }
}

/**
 * true when worker threads can read this source of a text format chunk by chunk: not when
 * --biflow pairs its records (the pairer needs them all in one place; Zeek's are not paired),
 * nor a conn.log with a dns.log or dhcp.log beside it to join.
 */
async function chunkable(reader: FormatEntry, source: string, options: IngestOptions): Promise<boolean> {
  if (!reader.chunked) return false;
  if (reader.name === 'zeek') return !(await import('../formats/zeek.js')).zeekJoins(source);
  return options.biflow !== true;
}

async function* prepend(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  for (const h of head) yield h;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
  }
}

async function* failAfter(head: Buffer[], err: unknown): AsyncGenerator<Buffer> {
  for (const h of head) yield h;
  throw err;
}

function openReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EISDIR') return 'is a directory';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'Z_BUF_ERROR' || e?.code === 'Z_DATA_ERROR') return `damaged gzip data (${e.message})`;
  return e?.message ?? String(err);
}
