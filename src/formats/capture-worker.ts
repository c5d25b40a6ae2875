// One shard of a parallel capture read (see capture-parallel.ts): read the whole file, decode
// every packet (the clock and the expiry see them all), meter only the flows of this shard,
// and post each chunk's expired flows as NDJSON text. Shard 0 also reports damage and progress.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { FlowMeter, type MeterOptions } from '../core/flowmeter.js';
import type { CaptureParser, DamageReport } from './capture.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';

export interface ShardJob {
  path: string;
  origin: string;
  format: 'pcap' | 'pcapng';
  meter: MeterOptions;
  shard: number;
  shards: number;
  /** per shard: the last chunk the main thread has written (flow control) */
  acks: SharedArrayBuffer;
}

export type ShardMessage =
  | { kind: 'chunk'; seq: number; text: string; bytes: number; packets: number }
  | { kind: 'damage'; message: string }
  | { kind: 'end'; seq: number; text: string; open: { key: number; line: string }[]; bytes: number; packets: number };

const CHUNK = 4 << 20;
/** chunks a shard may run ahead of what the main thread has written */
const AHEAD = 8;

function run(job: ShardJob): void {
  const port = parentPort!;
  const acks = new Int32Array(job.acks);
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
  const fd = openSync(job.path, 'r');
  let buf = Buffer.allocUnsafe(CHUNK * 2);
  let have = 0; // bytes carried over at the start of buf
  let base = 0; // file offset of buf[0]
  let bytes = 0;
  let seq = 0;
  try {
    for (;;) {
      if (buf.length - have < CHUNK) {
        // a record longer than a chunk is still being collected: make room
        const bigger = Buffer.allocUnsafe(have + CHUNK * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const n = readSync(fd, buf, have, CHUNK, null);
      bytes += n;
      const end = have + n;
      const p = parser.feed(buf, 0, end, base, n === 0);
      if (n === 0) break;
      const text = meter.takeText();
      while (seq - Atomics.load(acks, job.shard) > AHEAD) Atomics.wait(acks, job.shard, Atomics.load(acks, job.shard), 200);
      port.postMessage({ kind: 'chunk', seq: seq++, text, bytes, packets: parser.packets } satisfies ShardMessage);
      buf.copy(buf, 0, p, end);
      base += p;
      have = end - p;
    }
  } catch (err) {
    damage.report(parser.packets + 1, base + have, `read error: ${(err as Error).message ?? String(err)}`);
  } finally {
    closeSync(fd);
  }
  const text = meter.takeText();
  const open = meter.finishKeyed(true).map((k) => ({ key: k.idx * 8 + k.depth, line: k.line }));
  port.postMessage({ kind: 'end', seq, text, open, bytes, packets: parser.packets } satisfies ShardMessage);
}

if (parentPort && workerData) run(workerData as ShardJob);
