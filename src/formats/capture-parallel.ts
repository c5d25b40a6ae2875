// A large capture file metered by several threads at once. This thread reads the file into a
// ring of shared buffers and parses its records (damage is found and reported here, once, in
// order); each packet goes to the shard of its outer address pair (frameShard), so a flow, its
// fragments and the flows tunnelled in it stay whole in one shard. This thread meters shard 0
// itself as it parses; worker threads (capture-worker.ts) meter the others. Every shard sees
// every packet's time, so clocks and timeouts are those of one thread. The output is merged
// chunk by chunk in shard order, then the flows open at the end by their first packet: the
// same file and thread count always give the same bytes.
import { close, open, read } from 'node:fs';
import { FlowMeter, frameShard, type MeterOptions } from '../core/flowmeter.js';
import type { Diagnostics } from '../diag.js';
import { Packet } from '../packet/packet.js';
import { WorkerPort } from '../worker-port.js';
import { chunkBytes, DamageReport, type CaptureParser, type PacketSink } from './capture.js';
import { DESC, D_CLOCK, D_INDEX, D_LEN, D_LINK, D_OFF, D_TS, type ShardInput, type ShardJob, type ShardMessage } from './capture-worker.js';
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
/** a buffer is read into again once the workers have answered for its chunk (and one is being read) */
const SLOTS = AHEAD + 2;
/** room before a chunk in its buffer for the start of a record cut at the end of the chunk before */
const HEAD = 512 * 1024;

/**
 * The parser's packets: those of shard 0 go to this thread's meter; those of another shard go
 * into that shard's list for the chunk (where the packet is in the chunk's buffer, its time and
 * index, and the capture clock with it: the latest time seen, so the worker's flows expire as
 * in one thread), and move this thread's clock.
 */
class Dispatcher implements PacketSink {
  epoch = NaN;
  /** packets in this chunk, of every shard */
  count = 0;
  /** the capture clock: the latest packet time so far (FlowMeter's clock) */
  clock = -0x3fffffff;
  /** per shard: the packet list of this chunk, and its length in packets */
  private readonly lists: Float64Array[];
  private readonly counts: number[];
  private readonly scratch = new Packet();

  constructor(
    private readonly shards: number,
    private readonly meter: FlowMeter,
  ) {
    this.lists = Array.from({ length: shards }, () => new Float64Array(DESC * 8192));
    this.counts = new Array<number>(shards).fill(0);
  }

  relTime(ms: number): number {
    if (this.epoch !== this.epoch) this.epoch = Math.floor(ms);
    return Math.floor(ms - this.epoch);
  }

  packet(linktype: number, buf: Uint8Array, off: number, caplen: number, ts: number, index: number): void {
    this.count++;
    if (ts > this.clock) this.clock = ts;
    const shard = frameShard(linktype, buf, off, caplen, this.shards, this.scratch);
    const meter = this.meter;
    if (meter.epoch !== meter.epoch) meter.epoch = this.epoch;
    if (shard === 0) {
      meter.packet(linktype, buf, off, caplen, ts, index);
      return;
    }
    meter.tick(ts);
    let d = this.lists[shard];
    const i = this.counts[shard] * DESC;
    if (i + DESC > d.length) {
      const bigger = new Float64Array(d.length * 2);
      bigger.set(d);
      this.lists[shard] = d = bigger;
    }
    d[i + D_LINK] = linktype;
    d[i + D_OFF] = off;
    d[i + D_LEN] = caplen;
    d[i + D_TS] = ts;
    d[i + D_INDEX] = index;
    d[i + D_CLOCK] = this.clock;
    this.counts[shard]++;
  }

  /**
   * Shard s's list of this chunk, copied into `into` (memory the workers share, reused chunk
   * after chunk; a bigger one is returned when it is too small), and its length.
   */
  take(s: number, into: SharedArrayBuffer): { packets: SharedArrayBuffer; count: number } {
    const count = this.counts[s];
    const n = count * DESC;
    const packets = into.byteLength >= n * 8 ? into : new SharedArrayBuffer(n * 8 * 2);
    new Float64Array(packets, 0, n).set(this.lists[s].subarray(0, n));
    this.counts[s] = 0;
    return { packets, count };
  }

  /** the next chunk starts */
  next(): void {
    this.count = 0;
  }
}

const WORKER_URL = new URL('./capture-worker.js', import.meta.url);

/** NDJSON of the capture's flows, in pieces (UTF-8 bytes; the flows open at the end as text). */
export async function* parallelCapture(run: ParallelRun): AsyncGenerator<Uint8Array | string> {
  const damage = new DamageReport({ source: run.origin, diag: run.diag, options: {} as IngestOptions });
  const meter = new FlowMeter(run.origin, run.meter);
  meter.useText();
  const sink = new Dispatcher(run.shards, meter);
  const parser: CaptureParser = run.format === 'pcapng' ? new PcapngParser(sink, damage) : new PcapParser(sink, damage);
  // each buffer holds a chunk, and before it the start of a record cut at the end of the one before
  const slots = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(HEAD + CHUNK));
  const fd = await new Promise<number>((resolve, reject) => open(run.path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
  // the threads start once the file is open (an error before this leaves none running)
  const job: ShardJob = { origin: run.origin, meter: run.meter };
  const shards = Array.from({ length: run.shards - 1 }, (_, s) => new WorkerPort<ShardInput, ShardMessage>(WORKER_URL, job, `meter thread ${s + 1}`));
  /** this thread's flows of each chunk handed to the workers and not yet merged */
  const mine: Uint8Array[] = [];
  /** per slot and worker: the shared memory of the worker's packet list, reused */
  const lists = Array.from({ length: SLOTS }, () => shards.map(() => new SharedArrayBuffer(DESC * 8 * 8192)));

  const readInto = (b: Uint8Array): Promise<number> =>
    new Promise<number>((resolve, reject) => read(fd, b, 0, b.length, null, (err, n) => (err ? reject(err) : resolve(n))));
  /** the posted chunk whose packets are in each slot (the slot is free once it is merged) */
  const slotSeq: number[] = new Array<number>(SLOTS).fill(-1);
  let pending: { slot: number; n: Promise<number> } | undefined;
  let nextSlot = 0;
  /** the slot that holds the start of a record cut at the end of the last chunk */
  let carrySlot = -1;
  let readSeq = 0;
  let merged = 0;
  let eof = false;
  /** the next read starts when its slot is free: while this thread parses the chunk before it */
  const startRead = (): void => {
    if (pending || eof || slotSeq[nextSlot] >= merged || nextSlot === carrySlot) return;
    const slot = nextSlot;
    nextSlot = (nextSlot + 1) % SLOTS;
    pending = { slot, n: readInto(new Uint8Array(slots[slot], HEAD, CHUNK)) };
    pending.n.catch(() => 0); // failure is reported where it is awaited
  };
  try {
    let bytes = 0;
    /** the bytes of a record not yet whole: carry[carryFrom, carryTo), at file offset carryAt */
    let carry: Uint8Array = new Uint8Array(0);
    let carryFrom = 0;
    let carryTo = 0;
    let carryAt = 0;
    for (;;) {
      // keep the workers fed: a few chunks ahead of the merge, which waits for the output
      while (!eof && readSeq - merged < AHEAD) {
        startRead();
        if (!pending) break; // every slot is still read by the workers: merge first
        const { slot, n: got } = pending;
        pending = undefined;
        let n: number;
        try {
          n = await got;
        } catch (err) {
          damage.report(parser.packets + 1, carryAt + carryTo - carryFrom, `read error: ${(err as Error).message ?? String(err)}`);
          n = 0;
        }
        bytes += n;
        eof = n === 0;
        // the start of a record cut at the end of the last chunk goes just before the new bytes
        const cut = carryTo - carryFrom;
        let buf = slots[slot];
        let start = HEAD - cut;
        let end = HEAD + n;
        if (cut > HEAD) {
          // a record longer than the room before a chunk (a huge pcapng block): join the two
          buf = new SharedArrayBuffer(cut + n);
          const joined = new Uint8Array(buf);
          joined.set(carry.subarray(carryFrom, carryTo), 0);
          joined.set(new Uint8Array(slots[slot], HEAD, n), cut);
          start = 0;
          end = cut + n;
        } else if (cut > 0) {
          new Uint8Array(buf).set(carry.subarray(carryFrom, carryTo), start);
        }
        carrySlot = -1;
        if (!eof) startRead(); // the next chunk is read while this one is parsed
        const view = new Uint8Array(buf);
        const p = parser.feed(view, start, end, carryAt - start, eof);
        if (sink.count > 0) {
          // every worker answers for every chunk (its clock moves even without packets of its own)
          mine.push(meter.takeBytes());
          slotSeq[slot] = readSeq;
          for (let w = 0; w < shards.length; w++) {
            const { packets, count } = sink.take(w + 1, lists[slot][w]);
            lists[slot][w] = packets;
            shards[w].post({ kind: 'data', seq: readSeq, buf, packets, count, epoch: sink.epoch, clock: sink.clock });
          }
          readSeq++;
          sink.next();
        }
        if (eof) for (const w of shards) w.end({ kind: 'eof' });
        carry = view;
        carryFrom = p;
        carryTo = end;
        carryAt += p - start;
        if (p < end && buf === slots[slot]) carrySlot = slot;
      }
      if (merged === readSeq) break;
      const parts: Uint8Array[] = [];
      const own = mine.shift()!;
      if (own.length) parts.push(own);
      for (let s = 0; s < shards.length; s++) {
        const m = await shards[s].next();
        if (m.kind !== 'chunk' || m.seq !== merged) throw new Error(`meter thread ${s + 1}: ${m.kind === 'chunk' ? `chunk ${m.seq}` : 'the end'} out of turn (expected chunk ${merged})`);
        if (m.bytes.length) parts.push(m.bytes);
      }
      merged++;
      run.progress?.(bytes, parser.packets);
      if (parts.length) yield parts.length === 1 ? parts[0] : Buffer.concat(parts);
      if (run.signal?.aborted) {
        run.diag.skip(run.origin, undefined, `interrupted after ${parser.packets} packets (offset ${carryAt}): the flows still open are not written`);
        return;
      }
    }
    // flows written at the end of input, then the open flows by first packet
    const ended: (ShardMessage & { kind: 'end' })[] = [
      { kind: 'end', text: meter.takeText(), open: meter.finishKeyed(true).map((k) => ({ key: k.idx * 8 + k.depth, line: k.line })), evicted: meter.stats.evicted },
    ];
    for (let s = 0; s < shards.length; s++) {
      const m = await shards[s].next();
      if (m.kind !== 'end') throw new Error(`meter thread ${s + 1}: chunk ${m.seq} after the end`);
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
