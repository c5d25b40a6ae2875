// The second thread of fir detect (core/detect.ts): it gets the same chunks of input lines as
// the main thread, parses them and runs its share of the methods, and sends back each chunk's
// candidates with the line and phase they came at; the main thread merges them with its own in
// the order one thread would have made them. It reports nothing about bad lines (the main
// thread does) and reads no files.
import { parentPort, workerData } from 'node:worker_threads';
import { CidrSet } from '../net.js';
import { MethodRunner, type LoggedCandidate } from './engine.js';
import { METHODS } from './registry.js';
import { unpackConfig, type WorkerData } from './split.js';

const data = workerData as WorkerData;
const config = unpackConfig(data.config);
const methods = data.names.map((n) => METHODS.find((m) => m.name === n)!);
let log: LoggedCandidate[] = [];
const runner = new MethodRunner(methods, data.run, config, new CidrSet(config.local_nets ?? []), (i, c) => log.push({ seq: runner.seq, phase: runner.phase, i, c }));

parentPort!.on('message', (m: { text?: string; seq?: number; end?: boolean }) => {
  if (m.end) {
    runner.finish();
    parentPort!.postMessage(log);
    parentPort!.close();
    return;
  }
  const text = m.text!;
  let seq = m.seq!;
  let from = 0;
  for (;;) {
    const nl = text.indexOf('\n', from);
    let end = nl < 0 ? text.length : nl;
    if (end > from && text.charCodeAt(end - 1) === 13) end--;
    let rec: unknown;
    try {
      rec = JSON.parse(text.slice(from, end));
    } catch {
      rec = undefined;
    }
    if (typeof rec === 'object' && rec !== null && !Array.isArray(rec)) {
      runner.seq = seq;
      runner.push(rec as Record<string, unknown>);
    }
    seq++;
    if (nl < 0) break;
    from = nl + 1;
  }
  parentPort!.postMessage(log);
  log = [];
});
