// A large capture file metered by several worker threads at once (capture-worker.ts). This
// thread reads the file into a ring of shared buffers and parses its records (damage is found
// and reported here, once, in order); each packet goes to the shard of its outer address pair
// (frameShard), so a flow, its fragments and the flows tunnelled in it stay whole in one
// shard. Every shard sees every packet's time, so clocks and timeouts are those of one thread.
// The output is merged chunk by chunk in shard order, then the flows open at the end by their
// first packet: the same file and thread count always give the same bytes.
import { close, open, read } from 'node:fs';
import { frameShard, type MeterOptions } from '../core/flowmeter.js';
import type { Diagnostics } from '../diag.js';
import { Packet } from '../packet/packet.js';
import { WorkerPort } from '../worker-port.js';
import { DamageReport, type CaptureParser, type PacketSink } from './capture.js';
import { DESC, D_INDEX, D_KIND, D_LEN, D_OFF, D_TS, type ShardInput, type ShardJob, type ShardMessage } from './capture-worker.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import type { IngestOptions } from './types.js';

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

/** bytes read at a time (tests set FIR_INGEST_CHUNK_BYTES to cross many chunk seams) */
const CHUNK = chunkBytes();
/** chunks handed to the workers and not yet merged */
const AHEAD = 3;
/** a buffer is read into again once the workers have answered for its chunk */
const SLOTS = AHEAD + 1;

function chunkBytes(): number {
  const v = Number(process.env.FIR_INGEST_CHUNK_BYTES);
  return Number.isInteger(v) && v >= 4096 ? v : 4 << 20;
}

/**
 * The parser's packets, sorted into a list per chunk: where each one is in the chunk's buffer,
 * its time and index, and its shard.
 */
class Dispatcher implements PacketSink {
  epoch = NaN;
  count = 0;
  list = new Float64Array(DESC * 16384);
  private readonly scratch = new Packet();

  constructor(private readonly shards: number) {}

  relTime(ms: number): number {
    if (this.epoch !== this.epoch) this.epoch = Math.floor(ms);
    return Math.floor(ms - this.epoch);
  }

  packet(linktype: number, buf: Uint8Array, off: number, caplen: number, ts: number, index: number): void {
    let d = this.list;
    const i = this.count * DESC;
    if (i + DESC > d.length) {
      const bigger = new Float64Array(d.length * 2);
      bigger.set(d);
      this.list = d = bigger;
    }
    d[i + D_KIND] = frameShard(linktype, buf, off, caplen, this.shards, this.scratch) * 65536 + linktype;
    d[i + D_OFF] = off;
    d[i + D_LEN] = caplen;
    d[i + D_TS] = ts;
    d[i + D_INDEX] = index;
    this.count++;
  }

  /** this chunk's list in memory the workers share; the next chunk starts a new one */
  take(): { packets: SharedArrayBuffer; count: number } {
    const n = this.count * DESC;
    const packets = new SharedArrayBuffer(n * 8);
    new Float64Array(packets).set(this.list.subarray(0, n));
    const count = this.count;
    this.count = 0;
    return { packets, count };
  }
}

const WORKER_URL = new URL('./capture-worker.js', import.meta.url);

/** NDJSON of the capture's flows, in pieces (UTF-8 bytes; the flows open at the end as text). */
export async function* parallelCapture(run: ParallelRun): AsyncGenerator<Uint8Array | string> {
  const damage = new DamageReport({ source: run.origin, diag: run.diag, options: {} as IngestOptions });
  const sink = new Dispatcher(run.shards);
  const parser: CaptureParser = run.format === 'pcapng' ? new PcapngParser(sink, damage) : new PcapParser(sink, damage);
  // each buffer holds a chunk and the start of a record cut at the end of the one before
  const slots = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(CHUNK * 2));
  const fd = await new Promise<number>((resolve, reject) => open(run.path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
  // the threads start once the file is open (an error before this leaves none running)
  const job = (shard: number): ShardJob => ({ origin: run.origin, meter: run.meter, shard });
  const shards = Array.from({ length: run.shards }, (_, s) => new WorkerPort<ShardInput, ShardMessage>(WORKER_URL, job(s), `meter thread ${s}`));
  const post = (m: ShardInput) => {
    for (const w of shards) {
      if (m.kind === 'eof') w.end(m);
      else w.post(m);
    }
  };

  const readAt = (b: Uint8Array, at: number): Promise<number> =>
    new Promise<number>((resolve, reject) => read(fd, b, at, CHUNK, null, (err, n) => (err ? reject(err) : resolve(n))));
  try {
    let readSeq = 0;
    let merged = 0;
    let bytes = 0;
    let eof = false;
    /** the bytes of a record not yet whole: prev[carryFrom, carryTo), at file offset base */
    let prev: Uint8Array = new Uint8Array(0);
    let carryFrom = 0;
    let carryTo = 0;
    let base = 0;
    for (;;) {
      // keep the workers fed: a few chunks ahead of the merge, which waits for the output
      while (!eof && readSeq - merged < AHEAD) {
        const si = readSeq % SLOTS;
        const carry = carryTo - carryFrom;
        if (slots[si].byteLength < carry + CHUNK) slots[si] = new SharedArrayBuffer(carry + CHUNK); // a record longer than a chunk
        const view = new Uint8Array(slots[si]);
        view.set(prev.subarray(carryFrom, carryTo), 0);
        let n: number;
        try {
          n = await readAt(view, carry);
        } catch (err) {
          damage.report(parser.packets + 1, base + carry, `read error: ${(err as Error).message ?? String(err)}`);
          n = 0;
        }
        bytes += n;
        const end = carry + n;
        eof = n === 0;
        const p = parser.feed(view, 0, end, base, eof);
        const { packets, count } = sink.take();
        if (count > 0) post({ kind: 'data', seq: readSeq++, buf: slots[si], packets, count, epoch: sink.epoch });
        if (eof) post({ kind: 'eof' });
        prev = view;
        carryFrom = p;
        carryTo = end;
        base += p;
      }
      if (merged === readSeq) break;
      const parts: Uint8Array[] = [];
      for (let s = 0; s < run.shards; s++) {
        const m = await shards[s].next();
        if (m.kind !== 'chunk' || m.seq !== merged) throw new Error(`meter thread ${s}: ${m.kind === 'chunk' ? `chunk ${m.seq}` : 'the end'} out of turn (expected chunk ${merged})`);
        if (m.bytes.length) parts.push(m.bytes);
      }
      merged++;
      run.progress?.(bytes, parser.packets);
      if (parts.length) yield parts.length === 1 ? parts[0] : Buffer.concat(parts);
      if (run.signal?.aborted) {
        run.diag.skip(run.origin, undefined, `interrupted after ${parser.packets} packets (offset ${base}): the flows still open are not written`);
        return;
      }
    }
    // flows written at the end of input, then the open flows by first packet
    const ended: (ShardMessage & { kind: 'end' })[] = [];
    for (let s = 0; s < run.shards; s++) {
      const m = await shards[s].next();
      if (m.kind !== 'end') throw new Error(`meter thread ${s}: chunk ${m.seq} after the end`);
      ended.push(m);
    }
    const evicted = ended.reduce((a, e) => a + e.evicted, 0);
    if (evicted) run.diag.warn(`more than ${run.meter.maxOpen} flows were open at once in a thread: ${evicted} were written before their timeout (--max-flows)`, run.origin);
    let text = ended.map((e) => e.text).join('');
    const open = ended.flatMap((e) => e.open).sort((a, b) => a.key - b.key);
    for (const o of open) text += o.line;
    run.progress?.(bytes, parser.packets);
    if (text) yield text;
  } finally {
    for (const w of shards) w.stop();
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}
