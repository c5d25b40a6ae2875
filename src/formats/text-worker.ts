// A worker thread of a text reader (see text-parallel.ts): loads the format's chunk reader once,
// then turns chunks of whole lines into NDJSON text, starting each from the state it is given.
import { parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { TextSink } from './netflow/text.js';
import { CHUNK_READERS, NoteDiag, type ChunkOut } from './text-chunks.js';
import { decodeChunk, type ChunkJob, type ChunkReply, type TextSetup } from './text-parallel.js';

async function main(setup: TextSetup): Promise<void> {
  const port = parentPort!;
  const reader = await CHUNK_READERS[setup.format]();
  const sink = new TextSink();
  port.on('message', (job: ChunkJob) => {
    const diag = new NoteDiag();
    const out: ChunkOut = { sink, ctx: { source: setup.source, options: setup.options as never, diag: diag as never }, counts: {} };
    let reply: ChunkReply;
    try {
      const text = decodeChunk(Buffer.from(job.buf, job.offset, job.length));
      const end = reader.text(job.state, text, job.first, out);
      reply = { seq: job.seq, input: job.buf, text: sink.takeBytes(), notes: diag.notes, end, counts: out.counts, handoff: out.handoff };
    } catch (err) {
      sink.take();
      reply = { seq: job.seq, input: job.buf, error: (err as Error)?.message ?? String(err), usage: err instanceof UsageError };
    }
    // the chunk's memory goes back to the main thread (moved, as it came)
    port.postMessage(reply, reply.error === undefined ? [job.buf, reply.text.buffer as ArrayBuffer] : [job.buf]);
  });
  port.postMessage({ ready: true });
}

if (parentPort && workerData) void main(workerData as TextSetup);
