// Two-thread mode of fir detect (--threads 2): what the worker (src/detect/worker.ts) is given,
// and the main thread's handle on it. The worker runs every method; the main thread reads the
// input and shares out the parsing: a chunk of lines is either parsed and checked here and its
// flows sent on in a compact form (transport.ts), or sent as text for the worker to parse and
// check itself, whichever thread is less busy (core/detect.ts). The worker sends back, per
// chunk, what the methods reported and when the clock moved, and the reports about bad lines it
// parsed; so the events, their order and the diagnostics are those of one thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CidrSet } from '../net.js';
import type { LogEntry } from './engine.js';
import { BLOCKLIST_KEY, type Blocklist } from './methods/blacklist.js';
import type { FlowBatch } from './transport.js';
import type { DetectConfig } from './types.js';
import { WorkerPort } from '../worker-port.js';

/** What the worker is started with. */
export interface WorkerData {
  /** the selected methods, in order */
  names: string[];
  config: DetectConfig;
}

/** What the worker sends back for a chunk (and at the end of input, with its counts). */
export interface WorkerReply {
  log: LogEntry[];
  /** bad lines of a chunk it parsed: [line of the whole input, message] */
  diags: [number, string][];
  /** at the end: the flows and other records of the chunks it parsed */
  flows?: number;
  nonFlows?: number;
}

/**
 * The config as it crosses to the worker: plain data, except the blocklist's networks (a
 * CidrSet, whose fields are plain maps and arrays) which are made a CidrSet again there.
 */
export function unpackConfig(config: DetectConfig): DetectConfig {
  const list = config[BLOCKLIST_KEY] as Blocklist | undefined;
  if (!list) return config;
  return { ...config, [BLOCKLIST_KEY]: { ...list, nets: Object.assign(new CidrSet(), list.nets) } };
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Whether the worker can be started (it is a compiled file next to this one). */
export function workerAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

/** The main thread's side of the worker: chunks go in, each chunk's candidates come back in order. */
export class DetectWorker extends WorkerPort<{ text: string; seq: number } | { batch: FlowBatch } | { end: true }, WorkerReply> {
  constructor(data: WorkerData) {
    super(WORKER_URL, data, 'fir detect: the worker thread');
  }

  /** A chunk's lines as text, the first of them line `seq` of the whole input. */
  sendText(text: string, seq: number): void {
    this.post({ text, seq });
  }

  /** The flows of a chunk parsed here (their buffers are handed over). */
  sendFlows(batch: FlowBatch): void {
    this.post({ batch }, [batch.nums.buffer as ArrayBuffer, batch.strs.buffer as ArrayBuffer]);
  }

  /** End of input: the worker's methods report what is open (the last log) and it exits. */
  finish(): void {
    this.end({ end: true });
  }
}
