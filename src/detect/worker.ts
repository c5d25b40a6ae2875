// The second thread of fir detect (--threads 2, see split.ts): it runs every method. Each message
// is a chunk of input, either as text (parsed and checked here, as the main thread would) or as
// the flows the main thread parsed (transport.ts); the reply holds what the methods reported,
// when the clock moved, and the reports about the bad lines it parsed, for the main thread to
// write in order. It reads no files and writes nothing itself.
import { parentPort, workerData } from 'node:worker_threads';
import type { Diagnostics } from '../diag.js';
import { parseRecordLine } from '../io.js';
import { CidrSet } from '../net.js';
import { MethodRunner, type LogEntry } from './engine.js';
import { METHODS } from './registry.js';
import { unpackConfig, type WorkerData, type WorkerReply } from './split.js';
import { FlowDecoder, type FlowBatch } from './transport.js';

const data = workerData as WorkerData;
const config = unpackConfig(data.config);
const methods = data.names.map((n) => METHODS.find((m) => m.name === n)!);
let log: LogEntry[] = [];
let diags: [number, string][] = [];
const runner = new MethodRunner(
  methods,
  methods.map((_, i) => i),
  config,
  new CidrSet(config.local_nets ?? []),
  (i, c) => log.push({ seq: runner.seq, phase: runner.phase, i, c }),
  (now) => log.push(now),
);
const decoder = new FlowDecoder();
let counted = 0;
/** parseRecordLine's reports, kept with the line (its number in the whole input) */
const collect = { skip: (_source: string, line: number, message: string) => diags.push([line, message]) } as unknown as Diagnostics;

function parseText(text: string, seq: number): void {
  let from = 0;
  for (;;) {
    const nl = text.indexOf('\n', from);
    let end = nl < 0 ? text.length : nl;
    if (end > from && text.charCodeAt(end - 1) === 13) end--;
    const t = text.slice(from, end);
    let rec: unknown;
    try {
      rec = JSON.parse(t);
    } catch {
      rec = undefined;
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) parseRecordLine({ text: t, source: '', line: seq }, collect);
    else {
      runner.seq = seq;
      const why = runner.push(rec as Record<string, unknown>);
      if (why !== undefined) diags.push([seq, why]);
    }
    seq++;
    if (nl < 0) break;
    from = nl + 1;
  }
}

parentPort!.on('message', (m: { batch?: FlowBatch; text?: string; seq?: number; end?: boolean }) => {
  let reply: WorkerReply;
  if (m.end) {
    runner.finish();
    reply = { log, diags, flows: runner.flowsSeen - counted, nonFlows: runner.nonFlows };
  } else {
    if (m.text !== undefined) parseText(m.text, m.seq!);
    else
      decoder.decode(
        m.batch!,
        (f, seq, t, tEnd) => {
          runner.seq = seq;
          runner.run(f, t, tEnd);
        },
        (rec, seq) => {
          runner.seq = seq;
          runner.push(rec);
          // counted by the main thread, which parsed it
          counted++;
        },
      );
    reply = { log, diags };
  }
  parentPort!.postMessage(reply);
  log = [];
  diags = [];
  if (m.end) parentPort!.close();
});
