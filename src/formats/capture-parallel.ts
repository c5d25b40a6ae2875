// A large capture file read by several worker threads at once, each metering the flows of one
// shard of the flow hash (capture-worker.ts). Every worker decodes every packet, so clocks and
// timeouts are the same as in one thread and each flow is whole in one shard; the output is
// merged chunk by chunk in shard order, and the flows open at the end by their first packet,
// so the same file and thread count always give the same bytes.
import { Worker } from 'node:worker_threads';
import type { MeterOptions } from '../core/flowmeter.js';
import type { Diagnostics } from '../diag.js';
import type { ShardJob, ShardMessage } from './capture-worker.js';

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

/** NDJSON text of the capture's flows, in pieces. */
export async function* parallelCapture(run: ParallelRun): AsyncGenerator<string> {
  const acks = new SharedArrayBuffer(4 * run.shards);
  const ackView = new Int32Array(acks);
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
    const job: ShardJob = { path: run.path, origin: run.origin, format: run.format, meter: run.meter, shard, shards: run.shards, acks };
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
  try {
    const ended: (Msg & { kind: 'end' })[] = [];
    let done = 0;
    for (let seq = 0; done < run.shards; seq++) {
      let text = '';
      for (let s = 0; s < run.shards; s++) {
        if (ended[s]) continue;
        const m = await next(s);
        if (m.kind === 'end') {
          ended[s] = m;
          done++;
        }
        else {
          text += m.text;
          if (s === 0) run.progress?.(m.bytes, m.packets);
        }
      }
      if (text) yield text;
      if (run.signal?.aborted) {
        run.diag.skip(run.origin, undefined, 'interrupted: the flows still open are not written');
        return;
      }
      for (let s = 0; s < run.shards; s++) {
        Atomics.store(ackView, s, seq);
        Atomics.notify(ackView, s);
      }
    }
    // flows written at the end of input, then the open flows by first packet
    let text = ended.map((e) => e.text).join('');
    const open = ended.flatMap((e) => e.open).sort((a, b) => a.key - b.key);
    for (const o of open) text += o.line;
    run.progress?.(ended[0].bytes, ended[0].packets);
    if (text) yield text;
  } finally {
    for (const w of workers) void w.terminate();
  }
}
