// The writer thread of a capture read in one thread (capture.ts): the flow meter hands over the
// flows that ended as numbers (FlowMeter.usePack), batch after batch, and this thread writes
// their NDJSON lines, the same bytes the meter would have written, and posts them back in order.
import { parentPort, workerData } from 'node:worker_threads';
import { ByteWriter, OriginTail, writeFlowPack, type PackedFlows } from '../core/flowmeter.js';

export interface WriterJob {
  origin: string;
}

/** a batch of flows (and the meter's epoch, 0 before it has one), or the end */
export type WriterInput = { kind: 'flows'; flows: PackedFlows; epoch: number } | { kind: 'end' };

export interface WriterReply {
  bytes: Uint8Array;
}

function run(job: WriterJob): void {
  const port = parentPort!;
  const tail = new OriginTail(job.origin);
  const names: string[] = [];
  const w = new ByteWriter();
  port.on('message', (m: WriterInput) => {
    if (m.kind === 'end') {
      port.close();
      return;
    }
    writeFlowPack(m.flows, names, m.epoch, tail, w);
    const bytes = w.takeBytes();
    port.postMessage({ bytes } satisfies WriterReply, [bytes.buffer as ArrayBuffer]);
  });
}

if (parentPort && workerData) run(workerData as WriterJob);
