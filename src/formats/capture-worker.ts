// One shard of a parallel capture read (see capture-parallel.ts): the main thread reads the
// file once into shared buffers; every shard parses every record (the clock and the expiry
// see all packets), meters only the packets of its share of address pairs, and posts each
// chunk's expired flows as NDJSON text. Shard 0 also reports damage.
import { parentPort, workerData } from 'node:worker_threads';
import { FlowMeter, type MeterOptions } from '../core/flowmeter.js';
import { ChunkFeed, type CaptureParser, type DamageReport } from './capture.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';

export interface ShardJob {
  origin: string;
  format: 'pcap' | 'pcapng';
  meter: MeterOptions;
  shard: number;
  shards: number;
  /** the buffers the main thread reads the file into, in turn */
  slots: SharedArrayBuffer[];
}

/** main thread to shard: chunk `seq` is in slots[slot], `len` bytes; or the file has ended */
export type ShardInput = { kind: 'data'; seq: number; slot: number; len: number } | { kind: 'eof' } | { kind: 'read-error'; message: string };

export type ShardMessage =
  | { kind: 'chunk'; seq: number; bytes: Uint8Array; packets: number }
  | { kind: 'damage'; message: string }
  | { kind: 'end'; text: string; open: { key: number; line: string }[]; packets: number };

function run(job: ShardJob): void {
  const port = parentPort!;
  const meter = new FlowMeter(job.origin, { ...job.meter, shard: job.shard, shards: job.shards });
  meter.useText();
  const say = (message: string) => {
    if (job.shard === 0) port.postMessage({ kind: 'damage', message } satisfies ShardMessage);
  };
  const damage = {
    count: 0,
    report: (packet: number, offset: number, reason: string) => say(`packet ${packet} (offset ${offset}): ${reason}`),
    note: (reason: string) => say(reason),
  } as unknown as DamageReport;
  const parser: CaptureParser = job.format === 'pcapng' ? new PcapngParser(meter, damage) : new PcapParser(meter, damage);
  const feed = new ChunkFeed(parser);
  const slots = job.slots.map((s) => new Uint8Array(s));
  port.on('message', (m: ShardInput) => {
    if (m.kind === 'data') {
      // the main thread reuses this chunk's buffer only after the next chunk's answer
      feed.push(slots[m.slot].subarray(0, m.len));
      // the NDJSON bytes move to the main thread without a copy (a string would be copied)
      const bytes = meter.takeBytes();
      port.postMessage({ kind: 'chunk', seq: m.seq, bytes, packets: parser.packets } satisfies ShardMessage, [bytes.buffer as ArrayBuffer]);
      return;
    }
    if (m.kind === 'read-error') damage.report(parser.packets + 1, feed.offset, `read error: ${m.message}`);
    else feed.end();
    const text = meter.takeText();
    const open = meter.finishKeyed(true).map((k) => ({ key: k.idx * 8 + k.depth, line: k.line }));
    port.postMessage({ kind: 'end', text, open, packets: parser.packets } satisfies ShardMessage);
    port.close();
  });
}

if (parentPort && workerData) run(workerData as ShardJob);
