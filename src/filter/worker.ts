// A filter worker (see stream.ts): compiles the expression once, then tests blocks of lines.
import { parentPort, workerData } from 'node:worker_threads';
import { compileFilter, parseIpList } from '../core/filter.js';
import { decodeBlock, filterText, type BlockMessage, type WorkerSetup } from './stream.js';

const setup = workerData as WorkerSetup;
const test = compileFilter(setup.expr, {
  invert: setup.invert,
  ipList: setup.ipList ? parseIpList(setup.ipList.text, setup.ipList.source).set : undefined,
});

parentPort!.on('message', (m: BlockMessage) => {
  const text = decodeBlock(Buffer.from(m.buf, m.offset, m.length));
  parentPort!.postMessage({ seq: m.seq, ...filterText(text, test, setup.wantFail) });
});
