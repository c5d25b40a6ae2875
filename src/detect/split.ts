// Two-thread mode of fir detect: which methods run in the worker (src/detect/worker.ts), what it
// is given, and the main thread's handle on it. Both threads parse every line (JSON.parse is
// most of the per-flow cost and its objects cannot be shared), each runs a consecutive part of
// the method list, and the worker's candidates come back tagged with their line and phase.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CidrSet } from '../net.js';
import type { LoggedCandidate } from './engine.js';
import { BLOCKLIST_KEY, type Blocklist } from './methods/blacklist.js';
import type { DetectConfig, DetectionMethod } from './types.js';

/** What the worker is started with. */
export interface WorkerData {
  /** the selected methods, in order */
  names: string[];
  /** the indexes (in `names`) of the methods the worker runs, ascending */
  run: number[];
  config: DetectConfig;
}

/**
 * Rough CPU time per flow of each method (10 ns units, measured alone on the bench input), for
 * the split. Both threads also parse every line; the main thread reads, merges and writes too
 * (MAIN_EXTRA).
 */
const COST: Record<string, number> = {
  DHCPANOM: 2,
  DNSANOMALY: 13,
  SCANS: 22,
  ICMPANOM: 5,
  SSHDICT: 8,
  DICTATTACK: 27,
  DOS: 38,
  HIGHTRANSF: 33,
  BLACKLIST: 8,
  BEACON: 40,
  ALIENDEV: 20,
};
const MAIN_EXTRA = 40;

/** Methods that must run in the same thread: the second reads what the first shares. */
const TOGETHER: [string, string][] = [['DHCPANOM', 'DNSANOMALY']];

export interface Split {
  /** indexes of the methods of each thread, ascending */
  main: number[];
  worker: number[];
}

/**
 * Which methods run in which thread: the costliest first, each to the thread with less work so
 * far (methods that share data go together). Undefined when there is nothing to split.
 */
export function splitMethods(methods: readonly DetectionMethod[]): Split | undefined {
  const units: { idx: number[]; cost: number }[] = [];
  const unitOf = new Map<string, { idx: number[]; cost: number }>();
  methods.forEach((m, i) => {
    const mate = TOGETHER.find(([x, y]) => x === m.name || y === m.name);
    const other = mate && (mate[0] === m.name ? mate[1] : mate[0]);
    let u = other !== undefined ? unitOf.get(other) : undefined;
    if (!u) units.push((u = { idx: [], cost: 0 }));
    u.idx.push(i);
    u.cost += COST[m.name] ?? 20;
    unitOf.set(m.name, u);
  });
  if (units.length < 2) return undefined;
  units.sort((a, b) => b.cost - a.cost || a.idx[0]! - b.idx[0]!);
  const main: number[] = [];
  const worker: number[] = [];
  let mainLoad = MAIN_EXTRA;
  let workerLoad = 0;
  for (const u of units) {
    if (workerLoad <= mainLoad) {
      worker.push(...u.idx);
      workerLoad += u.cost;
    } else {
      main.push(...u.idx);
      mainLoad += u.cost;
    }
  }
  if (main.length === 0) {
    // everything went to the worker: the cheapest unit comes back
    const u = units[units.length - 1]!;
    for (const i of u.idx) worker.splice(worker.indexOf(i), 1);
    main.push(...u.idx);
  }
  return { main: main.sort((a, b) => a - b), worker: worker.sort((a, b) => a - b) };
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
export class DetectWorker {
  private readonly worker: Worker;
  private readonly done: LoggedCandidate[][] = [];
  private waiting: { resolve: (v: LoggedCandidate[]) => void; reject: (e: unknown) => void } | undefined;
  private failed: unknown;
  private ended = false;

  constructor(data: WorkerData) {
    this.worker = new Worker(WORKER_URL, { workerData: data });
    this.worker.on('message', (log: LoggedCandidate[]) => {
      const w = this.waiting;
      if (w) {
        this.waiting = undefined;
        w.resolve(log);
      } else this.done.push(log);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.ended || code !== 0) this.fail(new Error(`fir detect: the worker thread stopped (exit ${code})`));
    });
  }

  private fail(err: unknown): void {
    this.failed ??= err;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(this.failed);
  }

  /** Lines `text` (as in a LineChunk), the first of them line `seq` of the whole input. */
  send(text: string, seq: number): void {
    this.worker.postMessage({ text, seq });
  }

  /** End of input: the worker's methods report what is open (the last log) and it exits. */
  end(): void {
    this.ended = true;
    this.worker.postMessage({ end: true });
  }

  /** The next chunk's candidates (or the end of input's). */
  next(): Promise<LoggedCandidate[]> {
    const log = this.done.shift();
    if (log) return Promise.resolve(log);
    if (this.failed !== undefined) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Stop the worker (early end of output or an error). */
  stop(): void {
    this.ended = true;
    void this.worker.terminate();
  }
}
