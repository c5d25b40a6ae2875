// One shard of a parallel capture read (see capture-parallel.ts). The main thread reads the
// file into shared buffers and parses its records; for each chunk it sends the list of packets
// (offset, length, time, index, link type, shard). This shard meters its own packets, lets the
// others' times move its clock (so flows expire as in one thread), and posts the NDJSON of the
// flows that ended, as bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { FlowMeter, type MeterOptions } from '../core/flowmeter.js';

export interface ShardJob {
  origin: string;
  meter: MeterOptions;
  shard: number;
}

/** fields of one packet in a chunk's packet list (a Float64Array) */
export const DESC = 5;
/** [kind: shard * 65536 + link type, offset in the chunk buffer, captured length, meter time, index] */
export const D_KIND = 0;
export const D_OFF = 1;
export const D_LEN = 2;
export const D_TS = 3;
export const D_INDEX = 4;

/** main thread to shard: the packets of chunk `seq` (in `buf`), or the end of the file */
export type ShardInput =
  | { kind: 'data'; seq: number; buf: SharedArrayBuffer; packets: SharedArrayBuffer; count: number; epoch: number }
  | { kind: 'eof' };

export type ShardMessage =
  | { kind: 'chunk'; seq: number; bytes: Uint8Array }
  | { kind: 'end'; text: string; open: { key: number; line: string }[]; evicted: number };

function run(job: ShardJob): void {
  const port = parentPort!;
  const meter = new FlowMeter(job.origin, job.meter);
  meter.useText();
  const mine = job.shard;
  port.on('message', (m: ShardInput) => {
    if (m.kind === 'data') {
      if (meter.epoch !== meter.epoch) meter.epoch = m.epoch;
      const buf = new Uint8Array(m.buf);
      const d = new Float64Array(m.packets, 0, m.count * DESC);
      for (let i = 0; i < d.length; i += DESC) {
        const kind = d[i + D_KIND];
        if (((kind / 65536) | 0) === mine) meter.packet(kind & 0xffff, buf, d[i + D_OFF], d[i + D_LEN], d[i + D_TS], d[i + D_INDEX]);
        else meter.tick(d[i + D_TS]);
      }
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
