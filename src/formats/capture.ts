// Shared by the pcap and pcapng readers: stream the capture in large chunks (records that
// straddle two chunks are carried over), feed every packet to the flow meter, yield flows as
// they expire, and turn damage into one diagnostic line `FILE: packet N (offset X): reason`.
import { close, open, read } from 'node:fs';
import type { Readable } from 'node:stream';
import { DEFAULT_MAX_OPEN, DEFAULT_METER, FlowMeter, type MeterOptions, type PackedFlows } from '../core/flowmeter.js';
import type { AnyRecord } from '../record.js';
import { WorkerPort } from '../worker-port.js';
import type { WriterInput, WriterJob, WriterReply } from './capture-writer.js';
import type { IngestOptions, ReadContext } from './types.js';

/**
 * bytes of a new chunk joined to the tail of the old one to finish the record cut between them:
 * more than a packet of the usual snap lengths; a longer record is finished by joining the
 * chunks whole
 */
const STITCH = 64 * 1024;

/** Where a capture parser hands its packets: the flow meter, or the dispatcher of a parallel read. */
export interface PacketSink {
  /** ms since 1970 of meter time 0, set by the parser from the first packet */
  epoch: number;
  /** the meter time of `ms` since 1970 (sets the epoch on first use) */
  relTime(ms: number): number;
  /** one captured frame: link type, bytes buf[off, off+caplen), meter time, 1-based index */
  packet(linktype: number, buf: Uint8Array, off: number, caplen: number, ts: number, index: number): void;
}

/** how far ahead of a parser's position warm() keeps the capture's bytes in the cache */
export const WARM_AHEAD = 16 * 1024;

/**
 * Reads one byte of every 64-byte cache line of buf[from, to) and returns their sum (the parser
 * keeps it, so that the loads are not dropped). A parser walks from record to record, a chain
 * of loads each waiting for the one before it, and each a cache miss on a chunk another thread
 * has just read from the file; these loads do not depend on each other, so the memory system
 * serves them together, and the walk (with the flow meter after it) then finds its bytes in the
 * cache. Sweeping 16 KiB at a time took 13% off the main thread's CPU time on the
 * 2,000,000-packet benchmark capture.
 */
export function warm(buf: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let q = from; q < to; q += 64) sum += buf[q];
  return sum;
}

/**
 * A parser's warming as it goes: when p comes within WARM_AHEAD of `warmTo` (where the warmed
 * bytes end), warm up to 2 * WARM_AHEAD past p; returns where the warmed bytes now end. The sum
 * goes to `sink.warmed`, a store made from the first record on: one first made after the loop
 * made V8's optimised loop give up at the end of every chunk.
 */
export function warmAhead(sink: { warmed: number }, buf: Uint8Array, p: number, warmTo: number, end: number): number {
  if (p + WARM_AHEAD <= warmTo || warmTo >= end) return warmTo;
  const to = Math.min(end, p + 2 * WARM_AHEAD);
  sink.warmed = (sink.warmed + warm(buf, Math.max(warmTo, p), to)) | 0;
  return to;
}

/** A capture format's record parser over a window of bytes. */
export interface CaptureParser {
  /**
   * Parse records in buf[start, end), whose first byte is at file offset `base`; returns the
   * offset in buf where parsing stopped (a record not yet complete starts there). At `eof`
   * the parser reports what is left over as damage.
   */
  feed(buf: Uint8Array, start: number, end: number, base: number, eof: boolean): number;
  /** packets read so far */
  readonly packets: number;
}

/** Damage reporting shared by the parsers. */
export class DamageReport {
  count = 0;
  constructor(private readonly ctx: ReadContext) {}
  report(packet: number, offset: number, reason: string): void {
    this.count++;
    this.ctx.diag.skip(this.ctx.source, undefined, `packet ${packet} (offset ${offset}): ${reason}`);
  }
  note(reason: string): void {
    this.count++;
    this.ctx.diag.skip(this.ctx.source, undefined, reason);
  }
}

export function meterOptions(o: IngestOptions): MeterOptions {
  const idle = o.idleTimeoutMs;
  const custom = typeof idle === 'number' && idle > 0;
  return {
    tcpIdleMs: custom ? idle : DEFAULT_METER.tcpIdleMs,
    udpIdleMs: custom ? idle : DEFAULT_METER.udpIdleMs,
    dnsIdleMs: custom ? idle : DEFAULT_METER.dnsIdleMs,
    otherIdleMs: custom ? idle : DEFAULT_METER.otherIdleMs,
    activeMs: typeof o.activeTimeoutMs === 'number' && o.activeTimeoutMs > 0 ? o.activeTimeoutMs : DEFAULT_METER.activeMs,
    tunnels: o.tunnels !== false,
    maxOpen: typeof o.maxFlows === 'number' && o.maxFlows > 0 ? o.maxFlows : DEFAULT_MAX_OPEN,
  };
}

type MakeParser = (meter: FlowMeter, damage: DamageReport) => CaptureParser;

/** Flows of a capture: bytes → parser → meter → flow batches. Never throws on bad input. */
export function meterCapture(input: Readable, ctx: ReadContext, make: MakeParser): AsyncGenerator<AnyRecord[]> {
  return run(input, ctx, make, 'records') as AsyncGenerator<AnyRecord[]>;
}

/** The same flows as NDJSON text. */
export function meterCaptureText(input: Readable, ctx: ReadContext, make: MakeParser): AsyncGenerator<string> {
  return run(input, ctx, make, 'text') as AsyncGenerator<string>;
}

/**
 * The flows of a capture file (not compressed) as NDJSON in UTF-8 bytes, read with reused
 * buffers: the bytes the meter writes go to the output as they are, never through a string.
 */
export function meterCaptureFile(path: string, ctx: ReadContext, make: MakeParser, writerThread = false): AsyncGenerator<Uint8Array> {
  return run(fileChunks(path), ctx, make, 'bytes', writerThread) as AsyncGenerator<Uint8Array>;
}

/** batches of flows handed to the writer thread and not yet written */
const WRITER_AHEAD = 8;
const WRITER_URL = new URL('./capture-writer.js', import.meta.url);

/** The writer thread failed: not a fault of the input. */
class WriterFailed extends Error {}

/**
 * Bytes read from a capture file at a time: 4 MiB, or FIR_INGEST_CHUNK_BYTES (at least 4096),
 * which tests set to cross many chunk seams and reuse every buffer many times over.
 */
export function chunkBytes(): number {
  const v = Number(process.env.FIR_INGEST_CHUNK_BYTES);
  return Number.isInteger(v) && v >= 4096 ? v : 4 << 20;
}

const FILE_CHUNK = chunkBytes();

/** chunks of a file being read while the caller parses an earlier one */
const READ_AHEAD = 2;

/**
 * The bytes of a file in chunks, the next two read (at their offsets, by libuv's threads)
 * while the caller parses the current one: a read delayed by a busy machine is less often
 * waited for. READ_AHEAD + 2 buffers take turns: a chunk stays valid until the caller asks for
 * the one after the next (run() keeps at most the previous chunk, to stitch a record across
 * the seam), so a large capture costs no new buffers, page faults or garbage per chunk.
 */
async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const fd = await new Promise<number>((resolve, reject) => open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
  // plain Uint8Arrays, like the seams ChunkFeed makes: the decoders see one kind of array
  // (a Buffer has another map, and code optimised for one is thrown away on meeting the other)
  const bufs = Array.from({ length: READ_AHEAD + 2 }, () => new Uint8Array(FILE_CHUNK));
  const readAt = (b: Uint8Array, pos: number): Promise<number> =>
    new Promise<number>((resolve, reject) => read(fd, b, 0, b.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
  /** reads in flight, in file order: the buffer's index, the file offset, the bytes read */
  const pending: { slot: number; pos: number; n: Promise<number> }[] = [];
  let next = 0; // file offset of the next read to start
  let slot = 0; // the buffer of the next read
  const start = (): void => {
    const at = slot;
    slot = (slot + 1) % bufs.length;
    const n = readAt(bufs[at], next);
    n.catch(() => 0); // a failure is reported where it is awaited
    pending.push({ slot: at, pos: next, n });
    next += FILE_CHUNK;
  };
  try {
    for (let i = 0; i < READ_AHEAD; i++) start();
    for (;;) {
      const { slot: at, pos, n: got } = pending.shift()!;
      const buf = bufs[at];
      const n = await got;
      if (n === 0) return;
      if (n < buf.length) {
        // a short read (the end of the file, or one cut short): the reads after it started at
        // the wrong offsets; they are dropped and reading goes on from here
        for (const p of pending.splice(0)) await p.n.catch(() => 0);
        next = pos + n;
        // the dropped reads' buffers are free again (the one before this chunk's is still
        // the caller's)
        slot = (at + 1) % bufs.length;
      }
      while (pending.length < READ_AHEAD) start();
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    // reads still in flight finish before the descriptor is closed
    for (const p of pending) await p.n.catch(() => 0);
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}

/**
 * Chunks of a capture file to its parser: a record that straddles two chunks is parsed across
 * a seam (the rest of the old chunk and the start of the new one), so a chunk is never copied
 * whole. The caller may reuse a chunk's memory once the chunk after it has been pushed.
 */
export class ChunkFeed {
  private win: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** reused for the seams (the parser keeps no reference to the bytes it is given) */
  private seamBuf = new Uint8Array(2 * STITCH);
  /** file offset of win[0] */
  private base = 0;

  constructor(private readonly parser: CaptureParser) {}

  /** file offset where parsing stands */
  get offset(): number {
    return this.base + this.pos;
  }

  push(chunk: Uint8Array): void {
    const parser = this.parser;
    if (this.pos >= this.win.length) {
      this.base += this.win.length;
      this.win = chunk;
      this.pos = parser.feed(chunk, 0, chunk.length, this.base, false);
      return;
    }
    // a record straddles the chunks: stitch the rest of the old window to the start of the
    // new chunk (enough for the largest record), parse across the seam, then go on in the
    // chunk itself
    const rest = this.win.length - this.pos;
    const take = Math.min(chunk.length, STITCH);
    if (this.seamBuf.length < rest + take) this.seamBuf = new Uint8Array(rest + take);
    const seam = this.seamBuf.subarray(0, rest + take);
    seam.set(this.win.subarray(this.pos), 0);
    seam.set(chunk.subarray(0, take), rest);
    const seamBase = this.base + this.pos;
    const q = parser.feed(seam, 0, seam.length, seamBase, false);
    if (q >= rest) {
      this.base = seamBase + rest;
      this.win = chunk;
      this.pos = parser.feed(chunk, q - rest, chunk.length, this.base, false);
    } else {
      // a record longer than the seam (a huge pcapng block, or a damaged stretch): join all
      const next = new Uint8Array(rest + chunk.length);
      next.set(this.win.subarray(this.pos), 0);
      next.set(chunk, rest);
      this.base = seamBase;
      this.win = next;
      this.pos = parser.feed(next, q, next.length, this.base, false);
    }
  }

  /** End of input: what is left is reported as damage by the parser. */
  end(): void {
    this.parser.feed(this.win, this.pos, this.win.length, this.base, true);
  }
}

async function* run(input: AsyncIterable<Uint8Array>, ctx: ReadContext, make: MakeParser, mode: 'records' | 'text' | 'bytes', writerThread = false): AsyncGenerator<AnyRecord[] | string | Uint8Array> {
  const meter = new FlowMeter(ctx.source, meterOptions(ctx.options));
  if (mode !== 'records') meter.useText();
  // with a writer thread (bytes only), the meter hands over ended flows as numbers and the
  // thread writes their lines, in the same order and the same bytes
  const writer = mode === 'bytes' && writerThread ? new WorkerPort<WriterInput, WriterReply>(WRITER_URL, { origin: ctx.source } satisfies WriterJob, 'flow writer thread') : undefined;
  if (writer) meter.usePack();
  let behind = 0;
  const send = (flows: PackedFlows): void => {
    if (flows.count === 0) return;
    writer!.post({ kind: 'flows', flows, epoch: meter.epoch === meter.epoch ? meter.epoch : 0 }, [flows.data.buffer as ArrayBuffer]);
    behind++;
  };
  const written = async (): Promise<Uint8Array> => {
    behind--;
    try {
      return (await writer!.next()).bytes;
    } catch (err) {
      throw new WriterFailed((err as Error)?.message ?? String(err));
    }
  };
  const take = (): AnyRecord[] | string | Uint8Array => (mode === 'bytes' ? meter.takeBytes() : mode === 'text' ? meter.takeText() : meter.take());
  const damage = new DamageReport(ctx);
  const parser = make(meter, damage);
  const feed = new ChunkFeed(parser);
  let total = 0;
  let lastProgress = 0;
  try {
    try {
      for await (const chunk of input) {
        total += chunk.length;
        feed.push(chunk);
        if (writer) {
          send(meter.takePack());
          // what the writer has done, in order; wait for it only when it is far behind
          while (behind > 0 && (writer.ready > 0 || behind > WRITER_AHEAD)) {
            const out = await written();
            if (out.length) yield out;
          }
        } else {
          const out = take();
          if (out.length) yield out;
        }
        if (ctx.signal?.aborted) break; // interrupted: the open flows are still written below
        if (ctx.progress && total - lastProgress >= 1 << 24) {
          lastProgress = total;
          ctx.progress(total, parser.packets);
        }
      }
    } catch (err) {
      if (err instanceof WriterFailed) throw err;
      if (!ctx.signal?.aborted) damage.report(parser.packets + 1, feed.offset, `read error: ${(err as Error).message ?? String(err)}`);
    }
    if (meter.stats.evicted) ctx.diag.warn(`more than ${meterOptions(ctx.options).maxOpen} flows were open at once: ${meter.stats.evicted} were written before their timeout (--max-flows)`, ctx.source);
    if (ctx.signal?.aborted) damage.note(`interrupted after ${parser.packets} packets (offset ${feed.offset}): the flows seen so far are written`);
    else feed.end();
    if (writer) {
      send(meter.finishPack());
      writer.end({ kind: 'end' });
      if (ctx.progress) ctx.progress(total, parser.packets);
      while (behind > 0) {
        const out = await written();
        if (out.length) yield out;
      }
      return;
    }
    const out = mode === 'bytes' ? Buffer.from(meter.finishText(), 'utf8') : mode === 'text' ? meter.finishText() : meter.finish();
    if (ctx.progress) ctx.progress(total, parser.packets);
    if (out.length) yield out;
  } finally {
    writer?.stop();
  }
}
