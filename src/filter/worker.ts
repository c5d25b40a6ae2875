// A filter worker (see parallel.ts): compiles the expression once, then tests blocks of lines.
import { isAscii } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import { compileFilter, parseIpList } from '../core/filter.js';
import { filterText, type BlockMessage, type WorkerSetup } from './parallel.js';

const setup = workerData as WorkerSetup;
const test = compileFilter(setup.expr, {
  invert: setup.invert,
  ipList: setup.ipList ? parseIpList(setup.ipList.text, setup.ipList.source).set : undefined,
});

parentPort!.on('message', (m: BlockMessage) => {
  const b = Buffer.from(m.buf, m.offset, m.length);
  // blocks are cut at line ends, so no character is split between two blocks
  const text = isAscii(b) ? b.toString('latin1') : b.toString('utf8');
  parentPort!.postMessage({ seq: m.seq, ...filterText(text, test, setup.wantFail) });
});
