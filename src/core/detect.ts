// `fir detect` as a transform: flow records in, event records out, via the engine and the
// methods of src/detect/. Never touches yargs or process.
import type { Diagnostics } from '../diag.js';
import { UsageError } from '../errors.js';
import { parseRecordLine } from '../io.js';
import { CidrSet } from '../net.js';
import type { Event } from '../record.js';
import type { FpRule } from '../fp/rules.js';
import { Engine, type LocalLog } from '../detect/engine.js';
import type { LineChunk } from '../detect/lines.js';
import { DetectWorker, splitMethods, workerAvailable, type Split } from '../detect/split.js';
import { Perspective, perspectiveDefs } from '../detect/perspectives.js';
import { METHODS } from '../detect/registry.js';
import type { DetectConfig, DetectionMethod } from '../detect/types.js';

export interface DetectOptions {
  config: DetectConfig;
  /** method names to run (default all) */
  methods?: string[];
  /** perspective name (default the config's `perspective`, else `default`) */
  perspective?: string;
  fpRules?: readonly FpRule[];
}

export interface DetectStats {
  flows: number;
  nonFlows: number;
  events: number;
  suppressed: number;
}

/** The methods named (case-insensitive); a usage error names the unknown ones. */
export function selectMethods(names: readonly string[] | undefined, all: readonly DetectionMethod[] = METHODS): DetectionMethod[] {
  if (!names || names.length === 0) return [...all];
  const wanted = new Set(names.map((n) => n.toUpperCase()));
  const unknown = [...wanted].filter((n) => !all.some((m) => m.name === n));
  if (unknown.length) throw new UsageError(`--methods: unknown method ${unknown.join(', ')} (methods: ${all.map((m) => m.name).join(', ')})`);
  return all.filter((m) => wanted.has(m.name));
}

/** The engine; `local`: the indexes of the methods that run in this thread (default all; the rest in a worker). */
export function createEngine(opts: DetectOptions, local?: readonly number[]): Engine {
  const name = opts.perspective ?? (typeof opts.config.perspective === 'string' ? opts.config.perspective : 'default');
  const perspective = new Perspective(name, perspectiveDefs(opts.config));
  const localNets = new CidrSet(opts.config.local_nets ?? []);
  return new Engine({
    methods: selectMethods(opts.methods),
    config: opts.config,
    localNets,
    perspective,
    ...(opts.fpRules ? { fpRules: opts.fpRules } : {}),
  }, local);
}

/** Input (characters) from which two threads are used: below it the worker's start costs more than it saves. */
export const PARALLEL_MIN_CHARS = 8 << 20;

export interface DetectRunOptions extends DetectOptions {
  /** 1: one thread; 2: two threads when there are methods to split; default 2 for input of PARALLEL_MIN_CHARS or more */
  threads?: number;
  /** the input size from which the default uses two threads */
  parallelMinChars?: number;
}

/**
 * Events from chunks of input lines (NDJSON), in the order they close (their window has passed in
 * flow time), then those open at the end of input by start. Records that are not flows are
 * passed over; a flow that cannot be used is reported as SOURCE:LINE and skipped.
 *
 * With two threads the methods are split (src/detect/split.ts): the worker runs the later ones
 * on the same lines and its candidates are merged with this thread's in the order one thread
 * makes them, so the events are the same. The first chunks are held until the input is known
 * to be big enough for it (or ends).
 */
export async function* detect(chunks: AsyncIterable<LineChunk>, opts: DetectRunOptions, diag: Diagnostics, stats?: DetectStats): AsyncGenerator<Event[]> {
  const methods = selectMethods(opts.methods);
  const it = chunks[Symbol.asyncIterator]();
  const held: LineChunk[] = [];
  let split: Split | undefined;
  if (opts.threads !== 1 && methods.length >= 2 && workerAvailable()) {
    split = splitMethods(methods);
    if (opts.threads === undefined) {
      const min = opts.parallelMinChars ?? PARALLEL_MIN_CHARS;
      let size = 0;
      while (size < min) {
        const r = await it.next();
        if (r.done) break;
        held.push(r.value);
        size += r.value.text.length;
      }
      if (size < min) split = undefined;
    }
  }
  const engine = createEngine(opts, split?.main);
  const worker = split && new DetectWorker({ names: methods.map((m) => m.name), run: split.worker, config: opts.config });
  let events = 0;
  let seq = 0;
  // chunks sent to the worker whose candidates are not merged yet, with this thread's log of them
  const pending: LocalLog[] = [];
  try {
    for (let r = held.length ? undefined : await it.next(); ; r = held.length ? undefined : await it.next()) {
      let chunk: LineChunk;
      if (r === undefined) chunk = held.shift()!;
      else if (r.done) break;
      else chunk = r.value;
      worker?.send(chunk.text, seq);
      runChunk(engine, chunk, seq, diag);
      seq += chunk.lines;
      if (worker) {
        pending.push(engine.takeLog());
        // the worker may be a chunk or two behind; this thread waits beyond that (bounded memory)
        if (pending.length > 2) engine.apply(pending.shift()!, await worker.next());
      }
      const out = engine.take();
      if (out.length) {
        events += out.length;
        yield out;
      }
    }
    if (worker) {
      worker.end();
      while (pending.length) engine.apply(pending.shift()!, await worker.next());
      engine.finish();
      engine.apply(engine.takeLog(), await worker.next());
    } else engine.finish();
  } finally {
    worker?.stop();
  }
  const out = engine.take();
  events += out.length;
  if (stats) {
    stats.flows = engine.flowsSeen;
    stats.nonFlows = engine.nonFlows;
    stats.events = events;
    stats.suppressed = engine.suppressed;
  }
  if (out.length) yield out;
}

/** The lines of a chunk, parsed and used one at a time (diagnostics come out in input order). */
function runChunk(engine: Engine, chunk: LineChunk, seq: number, diag: Diagnostics): void {
  const text = chunk.text;
  let line = chunk.line;
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
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
      // blank, not JSON or not an object: said (or not, when blank) as parseRecordLine says it
      parseRecordLine({ text: t, source: chunk.source, line }, diag);
    } else {
      const why = engine.push(rec as Record<string, unknown>, seq);
      if (why !== undefined) diag.skip(chunk.source, line, why);
    }
    seq++;
    line++;
    if (nl < 0) break;
    from = nl + 1;
  }
}

/** Run detect over an array of flows (tests, library use). */
export function detectArray(flows: Record<string, unknown>[], opts: DetectOptions): Event[] {
  const engine = createEngine(opts);
  for (const f of flows) engine.push(f);
  engine.finish();
  return engine.take();
}
