// One shard of a parallel capture read (see capture-parallel.ts). The main thread reads the
// file into shared buffers and parses its records; for each chunk it sends this shard's list of
// packets (link type, offset, length, time, index, and the capture clock with the packet: the
// latest time of any shard so far) and the clock at the end of the chunk. This shard meters its
// packets, moving its clock first, so flows expire as in one thread, and posts the NDJSON of
// the flows that ended, as bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { FlowMeter, type MeterOptions } from '../core/flowmeter.js';

export interface ShardJob {
  origin: string;
  meter: MeterOptions;
}

/** fields of one packet in a shard's packet list of a chunk (a Float64Array) */
export const DESC = 6;
/** [link type, offset in the chunk buffer, captured length, meter time, index, capture clock with this packet] */
export const D_LINK = 0;
export const D_OFF = 1;
export const D_LEN = 2;
export const D_TS = 3;
export const D_INDEX = 4;
export const D_CLOCK = 5;

/** main thread to shard: the packets of chunk `seq` (in `buf`), or the end of the file */
export type ShardInput =
  | { kind: 'data'; seq: number; buf: SharedArrayBuffer; packets: SharedArrayBuffer; count: number; epoch: number; clock: number }
  | { kind: 'eof' };

export type ShardMessage =
  | { kind: 'chunk'; seq: number; bytes: Uint8Array }
  | { kind: 'end'; text: string; open: { key: number; line: string }[]; evicted: number };

function run(job: ShardJob): void {
  const port = parentPort!;
  const meter = new FlowMeter(job.origin, job.meter);
  meter.useText();
  port.on('message', (m: ShardInput) => {
    if (m.kind === 'data') {
      if (meter.epoch !== meter.epoch) meter.epoch = m.epoch;
      const buf = new Uint8Array(m.buf);
      const d = new Float64Array(m.packets, 0, m.count * DESC);
      for (let i = 0; i < d.length; i += DESC) {
        // the clock first, as the packets of other shards before this one moved it
        meter.tick(d[i + D_CLOCK]);
        meter.packet(d[i + D_LINK], buf, d[i + D_OFF], d[i + D_LEN], d[i + D_TS], d[i + D_INDEX]);
      }
      meter.tick(m.clock);
      // the NDJSON bytes move to the main thread without a copy (a string would be copied)
      const bytes = meter.takeBytes();
      port.postMessage({ kind: 'chunk', seq: m.seq, bytes } satisfies ShardMessage, [bytes.buffer as ArrayBuffer]);
      return;
    }
    const text = meter.takeText();
    const open = meter.finishKeyed(true).map((k) => ({ key: k.idx * 8 + k.depth, line: k.line }));
    port.postMessage({ kind: 'end', text, open, evicted: meter.stats.evicted } satisfies ShardMessage);
    port.close();
  });
}

if (parentPort && workerData) run(workerData as ShardJob);
