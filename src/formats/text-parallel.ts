// A text reader's source read by worker threads: the main thread cuts the input into chunks of
// whole lines (about CHUNK bytes), numbers their first lines, and hands each to a worker with
// the reader's state at its start (text-chunks.ts); the workers' NDJSON and diagnostics are
// written strictly in input order, with at most two chunks a worker in flight. The first
// INLINE_BYTES are read here (a smaller file never starts a worker; a file known to be larger
// than that starts them before its first chunk is read), and so are the chunks that come while
// the workers start.
//
// The state a chunk starts from is known only once the chunk before it is read: a chunk is sent
// with the last state known (headers change rarely), and its result is kept only when that was
// the state the chunk before it ended in; otherwise the chunk is read again here, from the right
// state. After MAX_MISSES such re-reads (a state that keeps changing: Suricata holding DNS
// answers for their flows) the rest of the source is read here, chunk after chunk. So the bytes
// and diagnostics are those of reading the source in one thread, whatever the thread count.
import { isAscii } from 'node:buffer';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { TextSink } from './netflow/text.js';
import { NoteDiag, replayNotes, type ChunkNote, type ChunkOptions, type ChunkOut, type ChunkReader } from './text-chunks.js';
import type { ReadContext } from './types.js';

/** What a worker is told once. */
export interface TextSetup {
  format: string;
  source: string;
  options: ChunkOptions;
}

/** One chunk for a worker: bytes [offset, offset+length) of buf, its first line, the state to start from. */
export interface ChunkJob {
  seq: number;
  buf: ArrayBuffer;
  offset: number;
  length: number;
  first: number;
  state: unknown;
}

/** A worker's answer to a ChunkJob; `input` is the job's buf, handed back (both ways transferred, not copied). */
export type ChunkReply =
  | { seq: number; input: ArrayBuffer; text: Uint8Array; notes: ChunkNote[]; end: unknown; counts: Record<string, number>; handoff?: number; error?: undefined }
  | { seq: number; input: ArrayBuffer; error: string; usage: boolean };

/** Chunks are cut at line ends, so no character is split between two. */
export function decodeChunk(b: Buffer): string {
  return isAscii(b) ? b.toString('latin1') : b.toString('utf8');
}

/** bytes a chunk holds at least (the last one of a source may hold less) */
export const CHUNK = 1 << 20;
/** bytes read in this thread before the workers start: a smaller file is over before they would pay for their start */
export const INLINE_BYTES = 32 << 20;
/** re-read chunks of a source after which the rest is read in this thread */
const MAX_MISSES = 4;

/** '\n' bytes in b[from, to) (Buffer.indexOf is memchr: faster than a loop over the bytes, even four at a time) */
export function countNewlines(b: Buffer, from = 0, to = b.length): number {
  let n = 0;
  for (let p = b.indexOf(10, from); p >= 0 && p < to; p = b.indexOf(10, p + 1)) n++;
  return n;
}

/** the bytes of a source that is a file (before gunzip), 0 when it is not one */
function sourceBytes(source: string): number {
  try {
    const st = statSync(source);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

/** where the line after the n-th newline of b begins */
function afterNewlines(b: Buffer, n: number): number {
  let p = 0;
  for (let k = 0; k < n; k++) p = b.indexOf(10, p) + 1;
  return p;
}

export interface TextRun {
  /** the --format name (the workers load its chunk reader) */
  format: string;
  /** the same reader in this thread (first chunk, re-reads, the end) */
  reader: ChunkReader<unknown>;
  /** the source's bytes (after gunzip) */
  input: AsyncIterable<Buffer>;
  ctx: ReadContext;
  /** worker threads (at least 2 for any to start) */
  threads: number;
  /** bytes a chunk holds at least (default CHUNK; tests make it small) */
  chunkBytes?: number;
  /** wait for the workers to start instead of reading chunks here meanwhile, and start them after the first chunk (tests: a small file still goes through them) */
  waitWorkers?: boolean;
}

interface Pending {
  seq: number;
  /** the chunk (while it is with a worker, its memory is too: the reply gives it back) */
  bytes: Buffer;
  /** where the chunk is in its memory (a view of memory moved away reads as empty) */
  offset: number;
  length: number;
  first: number;
  sentKey: string;
  reply?: ChunkReply;
  wait?: () => void;
}

/**
 * readText of a chunked reader: the source cut into chunks of whole lines and read by `reader`
 * in this thread (parallelText without workers), its NDJSON handed on as UTF-8 bytes. The
 * chunk text is decoded at once (Latin-1 when ASCII) and read in place, and the bytes go to the
 * output as they are: cheaper than lines of a string decoder and a string of each batch.
 */
export function chunkedText(format: string, reader: ChunkReader<unknown>, input: AsyncIterable<Buffer>, ctx: ReadContext): AsyncGenerator<Uint8Array | string> {
  return parallelText({ format, reader, input, ctx, threads: 1 });
}

/** NDJSON text of the source (UTF-8 bytes, or a string after a handoff), in pieces, as the reader makes it in one thread. */
export async function* parallelText(run: TextRun): AsyncGenerator<Uint8Array | string> {
  const { reader, ctx } = run;
  const sink = new TextSink();
  const counts: Record<string, number> = {};
  let state = reader.start();
  let misses = 0;
  let stopped = false;

  // the workers (started when the source proves longer than one chunk)
  const workers: Worker[] = [];
  let ready = 0;
  let failure: Error | undefined;
  let closing = false;
  const pending: Pending[] = [];
  const bySeq = new Map<number, Pending>();
  const fail = (err: Error) => {
    failure ??= err;
    for (const p of bySeq.values()) p.wait?.();
  };
  const startWorkers = () => {
    const setup: TextSetup = { format: run.format, source: ctx.source, options: { map: ctx.options.map, timeFormat: ctx.options.timeFormat } };
    for (let i = 0; i < run.threads; i++) {
      const w = new Worker(new URL('./text-worker.js', import.meta.url), { workerData: setup });
      w.on('message', (m: ChunkReply | { ready: true }) => {
        if ('ready' in m) {
          ready++;
          return;
        }
        const p = bySeq.get(m.seq);
        if (!p) return;
        bySeq.delete(m.seq);
        p.bytes = Buffer.from(m.input, p.offset, p.length);
        p.reply = m;
        p.wait?.();
      });
      w.on('error', (err) => fail(err));
      w.on('exit', (code) => {
        if (!closing) fail(new Error(`a reader thread stopped (exit status ${code})`));
      });
      workers.push(w);
    }
  };

  /** read a chunk in this thread from the state now known: its text, and the line index of a handoff */
  const readHere = (bytes: Buffer, first: number): { text: Uint8Array; handoff?: number } => {
    const diag = new NoteDiag();
    const out: ChunkOut = { sink, ctx: { ...ctx, diag: diag as never }, counts };
    state = reader.text(state, decodeChunk(bytes), first, out);
    replayNotes(diag.notes, ctx.diag, ctx.source);
    return { text: sink.takeBytes(), handoff: out.handoff };
  };

  /** the oldest chunk in flight, settled: its text, and the line index of a handoff */
  const settle = async (): Promise<{ text: Uint8Array; handoff?: number; p: Pending }> => {
    const p = pending.shift()!;
    while (!p.reply && !failure) await new Promise<void>((resolve) => (p.wait = resolve));
    if (failure) throw failure;
    const r = p.reply!;
    if (r.error !== undefined) {
      if (r.usage) throw new UsageError(r.error);
      throw new Error(r.error);
    }
    if (p.sentKey === reader.key(state)) {
      replayNotes(r.notes, ctx.diag, ctx.source);
      for (const k in r.counts) counts[k] = (counts[k] ?? 0) + r.counts[k];
      state = r.end;
      return { text: r.text, handoff: r.handoff, p };
    }
    // started from another state than the chunk before ended in: read it again here
    misses++;
    return { ...readHere(p.bytes, p.first), p };
  };

  const chunkBytes = run.chunkBytes ?? CHUNK;
  // the memory of chunks read and done with, for the next ones (each chunk has memory of its
  // own, moved to its worker and back: a new block a chunk is work for the garbage collector)
  const pool: ArrayBuffer[] = [];
  /** a chunk is done with: its memory to the pool (a chunk of chunkBytes or less) */
  const release = (b: Buffer): void => {
    const ab = b.buffer as ArrayBuffer;
    if (ab.byteLength === chunkBytes && pool.length < 16) pool.push(ab);
  };
  /** the size of the source file (a file known to be large starts the workers at its second chunk, not after INLINE_BYTES) */
  let size: number | undefined;
  const it = run.input[Symbol.asyncIterator]();
  // read, not yet cut into chunks: the reads as they came (views), `held` bytes in all; a chunk
  // is copied out of them once (joining each read to the rest of the one before would copy it twice)
  let parts: Buffer[] = [];
  let held = 0;
  let inputDone = false;
  let readError: unknown;
  let line = 1;
  let seen = 0;
  let seq = 0;
  const cutAt = (b: Buffer): number => (reader.cut ? reader.cut(b) : b.lastIndexOf(10) + 1);
  /** a copy of the first n bytes held, in memory of its own (from the pool when n is chunkBytes or less) */
  const copyOut = (n: number): Buffer => {
    const ab = n <= chunkBytes ? pool.pop() : undefined;
    const out = ab ? Buffer.from(ab, 0, n) : Buffer.allocUnsafeSlow(n <= chunkBytes ? chunkBytes : n).subarray(0, n);
    let o = 0;
    for (let k = 0; o < n; k++) {
      const p = parts[k];
      const take = Math.min(p.length, n - o);
      p.copy(out, o, 0, take);
      o += take;
    }
    return out;
  };
  /** the first n bytes held are in a chunk: drop them */
  const drop = (n: number): void => {
    held -= n;
    while (n > 0) {
      const p = parts[0];
      if (p.length <= n) {
        n -= p.length;
        parts.shift();
      } else {
        parts[0] = p.subarray(n);
        n = 0;
      }
    }
  };
  /** the next chunk of whole lines (in memory of its own, to be copied to a worker), or undefined at the end */
  const nextChunk = async (): Promise<Buffer | undefined> => {
    for (;;) {
      if (held > chunkBytes || (inputDone && held)) {
        // cut within the first chunkBytes; a line longer than that goes whole
        if (held <= chunkBytes) {
          const chunk = copyOut(held);
          drop(held);
          return chunk;
        }
        const first = copyOut(chunkBytes);
        let cut = cutAt(first);
        if (cut > 0) {
          drop(cut);
          return first.subarray(0, cut);
        }
        const all = copyOut(held);
        cut = inputDone ? all.length : cutAt(all);
        if (cut > 0) {
          drop(cut);
          return all.subarray(0, cut);
        }
      }
      if (inputDone) return undefined;
      let r: IteratorResult<Buffer>;
      try {
        r = await it.next();
      } catch (err) {
        // read as one thread would: the whole lines so far, then the error
        readError = err;
        inputDone = true;
        const all = copyOut(held);
        const whole = all.subarray(0, all.lastIndexOf(10) + 1);
        parts = whole.length ? [whole] : [];
        held = whole.length;
        continue;
      }
      if (r.done) {
        inputDone = true;
        continue;
      }
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      if (b.length) {
        parts.push(b);
        held += b.length;
      }
    }
  };

  /** the rest of a source from line index `h` of `bytes` on, read by the reader's other way */
  async function* handOff(bytes: Buffer, first: number, h: number): AsyncGenerator<string> {
    if (!reader.rest) throw new Error(`the ${run.format} reader stopped a chunk without a way to read on`);
    const later = pending.splice(0, pending.length);
    const head = bytes.subarray(afterNewlines(bytes, h));
    async function* restBytes(): AsyncGenerator<Buffer> {
      yield head;
      for (const p of later) {
        // its memory is with a worker until the reply
        while (!p.reply && !failure) await new Promise<void>((resolve) => (p.wait = resolve));
        if (failure) throw failure;
        yield p.bytes;
      }
      const rest = parts;
      parts = [];
      held = 0;
      for (const p of rest) yield p;
      while (!inputDone) {
        const r = await it.next();
        if (r.done) break;
        yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      }
      inputDone = true;
      if (readError !== undefined) throw readError;
    }
    const out: ChunkOut = { sink, ctx, counts };
    yield* reader.rest(state, restBytes(), first + h, out);
  }

  try {
    // a file known to be large: the workers start now, and read from the first chunks that come after they are ready
    if (run.threads > 1 && !run.waitWorkers && (size = sourceBytes(ctx.source)) > INLINE_BYTES) startWorkers();
    for (;;) {
      if (ctx.signal?.aborted) return;
      const bytes = stopped ? undefined : await nextChunk();
      if (!bytes) break;
      const first = line;
      line += countNewlines(bytes);
      seen += bytes.length;
      if (!workers.length && run.threads > 1 && first > 1 && (run.waitWorkers || seen > INLINE_BYTES || (size ??= sourceBytes(ctx.source)) > INLINE_BYTES)) startWorkers();
      // a turn of the event loop, for the workers' messages (reading on would not give one)
      if (ready < workers.length) await new Promise<void>((resolve) => setImmediate(resolve));
      while (run.waitWorkers && ready < workers.length && !failure) await new Promise<void>((resolve) => setTimeout(resolve, 5));
      if (ready < workers.length || ready === 0 || misses >= MAX_MISSES) {
        // no worker yet (or the state keeps changing): this thread reads it, after those in flight
        while (pending.length) {
          const s = await settle();
          if (s.handoff === undefined) release(s.p.bytes);
          if (s.text.length) yield s.text;
          if (s.handoff !== undefined) {
            yield* handOff(s.p.bytes, s.p.first, s.handoff);
            return;
          }
          if (reader.stopped?.(state)) stopped = true;
        }
        if (stopped) break;
        const t = readHere(bytes, first);
        if (t.handoff === undefined) release(bytes);
        if (t.text.length) yield t.text;
        if (t.handoff !== undefined) {
          yield* handOff(bytes, first, t.handoff);
          return;
        }
        if (reader.stopped?.(state)) stopped = true;
        continue;
      }
      if (failure) throw failure;
      const p: Pending = { seq: seq++, bytes, offset: bytes.byteOffset, length: bytes.length, first, sentKey: reader.key(state) };
      const job: ChunkJob = { seq: p.seq, buf: bytes.buffer as ArrayBuffer, offset: p.offset, length: p.length, first, state };
      bySeq.set(p.seq, p);
      pending.push(p);
      workers[p.seq % workers.length].postMessage(job, [job.buf]);
      // write what is done, and keep at most two chunks a worker in flight
      while (pending.length && (pending.length >= workers.length * 2 || pending[0].reply)) {
        const s = await settle();
        if (s.handoff === undefined) release(s.p.bytes);
        if (s.text.length) yield s.text;
        if (s.handoff !== undefined) {
          yield* handOff(s.p.bytes, s.p.first, s.handoff);
          return;
        }
        if (reader.stopped?.(state)) {
          stopped = true;
          break;
        }
      }
    }
    while (pending.length && !stopped) {
      const s = await settle();
      if (s.handoff === undefined) release(s.p.bytes);
      if (s.text.length) yield s.text;
      if (s.handoff !== undefined) {
        yield* handOff(s.p.bytes, s.p.first, s.handoff);
        return;
      }
      if (reader.stopped?.(state)) stopped = true;
    }
    if (readError !== undefined && !stopped) throw readError;
    if (reader.end && !stopped) {
      const diag = new NoteDiag();
      reader.end(state, { sink, ctx: { ...ctx, diag: diag as never }, counts });
      replayNotes(diag.notes, ctx.diag, ctx.source);
      const text = sink.takeBytes();
      if (text.length) yield text;
    }
  } finally {
    closing = true;
    for (const w of workers) void w.terminate();
  }
}
