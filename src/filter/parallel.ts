// Filtering large inputs on several cores: the main thread reads the sources and cuts them at
// line ends into ~1 MiB blocks; worker threads parse and test the blocks; the main thread
// writes the results strictly in input order and reports bad lines with their source:line.
// JSON.parse is most of the cost of a filter, and it is what the workers share.
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
    const rec = parseRecordLine({ text: line, source: '', line: ++idx }, collect);
    if (rec !== undefined) {
      if (test(rec as Rec)) pass.push(line);
      else if (wantFail) fail.push(line);
    }
    from = nl + 1;
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

export interface ParallelOptions {
  threads: number;
  stdin?: Readable;
  diag: Diagnostics;
  setup: WorkerSetup;
}

const BLOCK = 1 << 20;

export async function filterParallel(sources: string[], opts: ParallelOptions, pass: TextSink, fail?: TextSink): Promise<void> {
  const list = sources.length ? sources : ['-'];
  const url = new URL('./worker.js', import.meta.url);
  const workers = Array.from({ length: opts.threads }, () => new Worker(url, { workerData: opts.setup }));
  const waiting = new Map<number, { resolve: (r: BlockResult) => void; reject: (e: unknown) => void }>();
  let failure: unknown;
  for (const w of workers) {
    w.on('message', (m: BlockResult & { seq: number }) => {
      const p = waiting.get(m.seq);
      waiting.delete(m.seq);
      p?.resolve(m);
    });
    w.on('error', (err) => {
      failure = err;
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
  }

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

  const drainOne = async () => {
    const { result, source } = inflight.shift()!;
    const r = await result;
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
      try {
        for await (const chunk of stream) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
          acc.push(buf);
          accLen += buf.length;
          if (accLen < BLOCK) continue;
          const all = own(acc, accLen);
          const nl = all.lastIndexOf(10);
          if (nl < 0) {
            acc = [all]; // one long line: keep reading
            continue;
          }
          const rest = Buffer.from(all.subarray(nl + 1));
          acc = rest.length ? [rest] : [];
          accLen = rest.length;
          while (inflight.length >= workers.length * 2) await drainOne();
          submit(new Uint8Array(all.buffer, 0, nl + 1), si);
        }
      } catch (err) {
        reportOpenError(opts.diag, source, err);
        continue;
      }
      if (accLen > 0) {
        while (inflight.length >= workers.length * 2) await drainOne();
        submit(own(acc, accLen), si);
      }
    }
    while (inflight.length) await drainOne();
    if (failure) throw failure;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
