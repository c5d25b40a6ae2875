// The filter's input loop: the main thread reads the sources and cuts them at line ends into
// ~1 MiB blocks. Blocks are tested on the main thread until the input proves large; then worker
// threads parse and test them, and the main thread writes the results strictly in input order
// and reports bad lines with their source:line. JSON.parse is most of the cost of a filter,
// and it is what the workers share.
import { isAscii } from 'node:buffer';
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import type { Diagnostics } from '../diag.js';
import { openSource, parseRecordLine, reportOpenError, sourceName } from '../io.js';
import type { Predicate, Rec } from './compile.js';

/** What a worker is told once: the expression to compile (already checked by the main thread). */
export interface WorkerSetup {
  expr: string;
  invert: boolean;
  ipList?: { text: string; source: string };
  wantFail: boolean;
}

/** The outcome of one block: passing and failing lines (each ending in \n), line count, bad lines. */
export interface BlockResult {
  pass: string;
  fail: string;
  lines: number;
  /** [1-based line within the block, message] */
  bad: [number, string][];
}

/** Decode a block; blocks are cut at line ends, so no character is split between two. */
export function decodeBlock(b: Buffer): string {
  return isAscii(b) ? b.toString('latin1') : b.toString('utf8');
}

/** Test every line of a block of text (the last line may lack its \n). */
export function filterText(text: string, test: Predicate, wantFail: boolean): BlockResult {
  const pass: string[] = [];
  const fail: string[] = [];
  const bad: [number, string][] = [];
  const collect = { skip: (_s: string, line: string | number | undefined, message: string) => void bad.push([line as number, message]) } as unknown as Diagnostics;
  let from = 0;
  let idx = 0;
  const n = text.length;
  while (from < n) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = n;
    let end = nl;
    if (end > from && text.charCodeAt(end - 1) === 13) end--;
    const line = text.slice(from, end);
    idx++;
    from = nl + 1;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      rec = undefined;
    }
    // anything but an object (blank, bad JSON, an array...) goes through io.ts for the same words
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
      rec = parseRecordLine({ text: line, source: '', line: idx }, collect);
      if (rec === undefined) continue;
    }
    if (test(rec as Rec)) pass.push(line);
    else if (wantFail) fail.push(line);
  }
  return { pass: pass.length ? pass.join('\n') + '\n' : '', fail: fail.length ? fail.join('\n') + '\n' : '', lines: idx, bad };
}

/** A block handed to a worker: bytes [offset, offset+length) of buf, cut at a line end. */
export interface BlockMessage {
  seq: number;
  buf: ArrayBuffer;
  offset: number;
  length: number;
}

export type TextSink = (text: string) => void | Promise<void>;

export interface StreamOptions {
  /** the compiled expression, for blocks tested on the main thread */
  test: Predicate;
  /** the same expression, for the workers to compile */
  setup: WorkerSetup;
  /** worker threads at most; 1 means none (every block on the main thread) */
  threads: number;
  /** bytes tested on the main thread before the workers start (their start-up is ~30 ms each) */
  inlineBytes: number;
  stdin?: Readable;
  diag: Diagnostics;
}

const BLOCK = 1 << 20;

/** Filter the sources (`-` is stdin; none: stdin) into the sinks, in input order. */
export async function filterSources(sources: string[], opts: StreamOptions, pass: TextSink, fail?: TextSink): Promise<void> {
  const list = sources.length ? sources : ['-'];
  const workers: Worker[] = [];
  const waiting = new Map<number, { resolve: (r: BlockResult) => void; reject: (e: unknown) => void }>();
  let failure: unknown;
  let closing = false;
  const startWorkers = () => {
    const url = new URL('./worker.js', import.meta.url);
    for (let i = 0; i < opts.threads; i++) {
      const w = new Worker(url, { workerData: opts.setup });
      w.on('message', (m: BlockResult & { seq: number }) => {
        const p = waiting.get(m.seq);
        waiting.delete(m.seq);
        p?.resolve(m);
      });
      const stop = (err: unknown) => {
        failure ??= err;
        for (const p of waiting.values()) p.reject(failure);
        waiting.clear();
      };
      w.on('error', stop);
      // a worker that ends before it is told to would leave its blocks unanswered
      w.on('exit', (code) => {
        if (!closing) stop(new Error(`a filter worker thread stopped (exit status ${code})`));
      });
      workers.push(w);
    }
  };

  // blocks in flight, oldest first; each remembers its source (by index) for line numbers
  const inflight: { result: Promise<BlockResult>; source: number }[] = [];
  let seq = 0;
  let current = -1;
  let base = 0;

  const submit = (bytes: Uint8Array, source: number) => {
    if (failure) throw failure;
    const s = seq++;
    const result = new Promise<BlockResult>((resolve, reject) => waiting.set(s, { resolve, reject }));
    result.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
    const msg: BlockMessage = { seq: s, buf: bytes.buffer as ArrayBuffer, offset: bytes.byteOffset, length: bytes.byteLength };
    workers[s % workers.length].postMessage(msg, [msg.buf]);
    inflight.push({ result, source });
  };

  const emit = async (r: BlockResult, source: number) => {
    if (source !== current) {
      current = source;
      base = 0;
    }
    const name = sourceName(list[source]);
    for (const [line, message] of r.bad) opts.diag.skip(name, base + line, message);
    base += r.lines;
    if (r.pass) {
      const p = pass(r.pass);
      if (p) await p;
    }
    if (fail && r.fail) {
      const p = fail(r.fail);
      if (p) await p;
    }
  };

  const drainOne = async () => {
    const { result, source } = inflight.shift()!;
    await emit(await result, source);
  };

  // a block goes to the main thread until enough input was seen, then to the workers
  let seen = 0;
  const handle = async (block: Buffer, source: number) => {
    seen += block.length;
    if (workers.length === 0 && (opts.threads <= 1 || seen <= opts.inlineBytes)) {
      await emit(filterText(decodeBlock(block), opts.test, Boolean(fail)), source);
      return;
    }
    if (workers.length === 0) startWorkers();
    while (inflight.length >= workers.length * 2) await drainOne();
    submit(block, source);
  };

  /** A block of its own memory (transferred to the worker, not copied). */
  const own = (chunks: Buffer[], length: number): Buffer => {
    const all = Buffer.concat(chunks, length);
    if (all.byteOffset === 0 && all.buffer.byteLength === all.length) return all;
    const copy = new Uint8Array(all.length);
    copy.set(all);
    return Buffer.from(copy.buffer);
  };

  try {
    for (let si = 0; si < list.length; si++) {
      const source = sourceName(list[si]);
      let stream: Readable;
      try {
        stream = openSource(list[si], { stdin: opts.stdin });
      } catch (err) {
        reportOpenError(opts.diag, source, err);
        continue;
      }
      let acc: Buffer[] = [];
      let accLen = 0;
      let sinkFailed = false;
      try {
        for await (const chunk of stream) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
          acc.push(buf);
          accLen += buf.length;
          // on the main thread every chunk is tested as it comes (a live source is not held back);
          // workers get blocks of about BLOCK bytes; a chunk without a line end waits for more
          if ((workers.length > 0 && accLen < BLOCK) || buf.lastIndexOf(10) < 0) continue;
          const all = own(acc, accLen);
          const nl = all.lastIndexOf(10);
          const rest = Buffer.from(all.subarray(nl + 1));
          acc = rest.length ? [rest] : [];
          accLen = rest.length;
          try {
            await handle(all.subarray(0, nl + 1), si);
          } catch (err) {
            sinkFailed = true;
            throw err;
          }
        }
      } catch (err) {
        if (sinkFailed) throw err;
        reportOpenError(opts.diag, source, err);
        continue;
      }
      if (accLen > 0) await handle(own(acc, accLen), si);
    }
    while (inflight.length) await drainOne();
    if (failure) throw failure;
  } finally {
    closing = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
