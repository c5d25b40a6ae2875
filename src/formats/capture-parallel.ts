// A large capture file metered by several worker threads at once (capture-worker.ts). This
// thread reads the file once, into a ring of shared buffers; every worker parses every record
// (so clocks and timeouts are those of one thread) and meters the packets of its share of
// outer address pairs, so a flow, its fragments and the flows tunnelled in it stay whole in
// one shard. The output is merged chunk by chunk in shard order, and the flows open at the
// end by their first packet: the same file and thread count always give the same bytes.
import { close, open, read } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { MeterOptions } from '../core/flowmeter.js';
import type { Diagnostics } from '../diag.js';
import type { ShardInput, ShardJob, ShardMessage } from './capture-worker.js';

export interface ParallelRun {
  path: string;
  origin: string;
  format: 'pcap' | 'pcapng';
  meter: MeterOptions;
  shards: number;
  diag: Diagnostics;
  progress?: (bytes: number, packets: number) => void;
  /** interrupted: stop (the flows still open in the threads are not written) */
  signal?: AbortSignal;
}

type Msg = Exclude<ShardMessage, { kind: 'damage' }>;

/** bytes read at a time (tests set FIR_INGEST_CHUNK_BYTES to cross many chunk seams) */
const CHUNK = chunkBytes();
/** chunks handed to the workers and not yet merged */
const AHEAD = 3;
/**
 * buffers in the ring: a worker may still read chunk n-1 (a record across the seam) until it
 * has answered for chunk n, so a buffer is free again two chunks after its chunk was merged
 */
const SLOTS = AHEAD + 2;

function chunkBytes(): number {
  const v = Number(process.env.FIR_INGEST_CHUNK_BYTES);
  return Number.isInteger(v) && v >= 4096 ? v : 4 << 20;
}

/** NDJSON text of the capture's flows, in pieces. */
export async function* parallelCapture(run: ParallelRun): AsyncGenerator<string> {
  const slots = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(CHUNK));
  const views = slots.map((s) => new Uint8Array(s));
  const queues: Msg[][] = [];
  const workers: Worker[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  for (let shard = 0; shard < run.shards; shard++) {
    const job: ShardJob = { origin: run.origin, format: run.format, meter: run.meter, shard, shards: run.shards, slots };
    const w = new Worker(new URL('./capture-worker.js', import.meta.url), { workerData: job });
    const q: Msg[] = [];
    queues.push(q);
    workers.push(w);
    w.on('message', (m: ShardMessage) => {
      if (m.kind === 'damage') run.diag.skip(run.origin, undefined, m.message);
      else q.push(m);
      notify();
    });
    w.on('error', (err) => {
      failure ??= err;
      notify();
    });
    w.on('exit', (code) => {
      if (code !== 0) failure ??= new Error(`reader thread ${shard} stopped (exit ${code})`);
      notify();
    });
  }
  const next = async (shard: number): Promise<Msg> => {
    for (;;) {
      const q = queues[shard];
      if (q.length) return q.shift()!;
      if (failure) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const post = (m: ShardInput) => {
    for (const w of workers) w.postMessage(m);
  };
  const fd = await new Promise<number>((resolve, reject) => open(run.path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
  const readInto = (b: Uint8Array): Promise<number> =>
    new Promise<number>((resolve, reject) => read(fd, b, 0, b.length, null, (err, n) => (err ? reject(err) : resolve(n))));
  try {
    let readSeq = 0;
    let merged = 0;
    let bytes = 0;
    let eof = false;
    for (;;) {
      // keep the workers fed: a few chunks ahead of the merge, which waits for the output
      while (!eof && readSeq - merged < AHEAD) {
        const slot = readSeq % SLOTS;
        let n: number;
        try {
          n = await readInto(views[slot]);
        } catch (err) {
          post({ kind: 'read-error', message: (err as Error).message ?? String(err) });
          eof = true;
          break;
        }
        if (n === 0) {
          post({ kind: 'eof' });
          eof = true;
          break;
        }
        bytes += n;
        post({ kind: 'data', seq: readSeq++, slot, len: n });
      }
      if (merged === readSeq) break;
      const parts: Uint8Array[] = [];
      let packets = 0;
      for (let s = 0; s < run.shards; s++) {
        const m = await next(s);
        if (m.kind !== 'chunk' || m.seq !== merged) throw new Error(`reader thread ${s}: chunk ${m.kind === 'chunk' ? m.seq : 'end'} out of turn (expected ${merged})`);
        if (m.bytes.length) parts.push(m.bytes);
        if (s === 0) packets = m.packets;
      }
      merged++;
      run.progress?.(bytes, packets);
      if (parts.length) yield Buffer.concat(parts).toString('utf8');
      if (run.signal?.aborted) {
        run.diag.skip(run.origin, undefined, 'interrupted: the flows still open are not written');
        return;
      }
    }
    // flows written at the end of input, then the open flows by first packet
    const ended: (Msg & { kind: 'end' })[] = [];
    for (let s = 0; s < run.shards; s++) {
      const m = await next(s);
      if (m.kind !== 'end') throw new Error(`reader thread ${s}: chunk ${m.seq} after the end`);
      ended.push(m);
    }
    let text = ended.map((e) => e.text).join('');
    const open = ended.flatMap((e) => e.open).sort((a, b) => a.key - b.key);
    for (const o of open) text += o.line;
    run.progress?.(bytes, ended[0].packets);
    if (text) yield text;
  } finally {
    for (const w of workers) void w.terminate();
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}
