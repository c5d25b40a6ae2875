// `fir detect` as a transform: flow records in, event records out, via the engine and the
// methods of src/detect/. Never touches yargs or process.
import type { Diagnostics } from '../diag.js';
import { UsageError } from '../errors.js';
import { parseRecordLine } from '../io.js';
import { CidrSet } from '../net.js';
import type { Event, Flow } from '../record.js';
import type { FpRule } from '../fp/rules.js';
import { Engine } from '../detect/engine.js';
import type { LineChunk } from '../detect/lines.js';
import { DetectWorker, workerAvailable } from '../detect/split.js';
import { FlowEncoder } from '../detect/transport.js';
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

/** The engine; `remote`: the methods run in a worker (--threads 2). */
export function createEngine(opts: DetectOptions, remote = false): Engine {
  const name = opts.perspective ?? (typeof opts.config.perspective === 'string' ? opts.config.perspective : 'default');
  const perspective = new Perspective(name, perspectiveDefs(opts.config));
  const localNets = new CidrSet(opts.config.local_nets ?? []);
  return new Engine({
    methods: selectMethods(opts.methods),
    config: opts.config,
    localNets,
    perspective,
    ...(opts.fpRules ? { fpRules: opts.fpRules } : {}),
  }, remote);
}

/** Input (characters) from which two threads are used: below it the worker's start costs more than it saves. */
export const PARALLEL_MIN_CHARS = 8 << 20;

export interface DetectRunOptions extends DetectOptions {
  /** 1: one thread; 2: two threads; default 2 for input of PARALLEL_MIN_CHARS or more with two methods or more */
  threads?: number;
  /** the input size from which the default uses two threads */
  parallelMinChars?: number;
}

/**
 * Events from chunks of input lines (NDJSON), in the order they close (their window has passed in
 * flow time), then those open at the end of input by start. Records that are not flows are
 * passed over; a flow that cannot be used is reported as SOURCE:LINE and skipped.
 *
 * With two threads (src/detect/split.ts) the methods run in a worker and the parsing is shared
 * out chunk by chunk; what the worker reports comes back per chunk in order, so the events and
 * the diagnostics are the same as with one. The first chunks are held until the input is known
 * to be big enough for it (or ends).
 */
export async function* detect(chunks: AsyncIterable<LineChunk>, opts: DetectRunOptions, diag: Diagnostics, stats?: DetectStats): AsyncGenerator<Event[]> {
  const methods = selectMethods(opts.methods);
  const it = chunks[Symbol.asyncIterator]();
  const held: LineChunk[] = [];
  let two = opts.threads === 2 && workerAvailable();
  if (opts.threads === undefined && methods.length >= 2 && workerAvailable()) {
    const min = opts.parallelMinChars ?? PARALLEL_MIN_CHARS;
    let size = 0;
    while (size < min) {
      const r = await it.next();
      if (r.done) break;
      held.push(r.value);
      size += r.value.text.length;
    }
    two = size >= min;
  }
  const engine = createEngine(opts, two);
  const worker = two ? new DetectWorker({ names: methods.map((m) => m.name), config: opts.config }) : undefined;
  const encoder = worker && new FlowEncoder();
  let events = 0;
  let seq = 0;
  let flows = 0;
  let nonFlows = 0;
  // chunks handed to the worker whose reply is not in yet: where their lines are, and the
  // reports about the bad lines this thread found in them (written when the reply is in, so
  // that every report comes out in input order)
  const pending: { source: string; line: number; seq: number; diags: Deferred[] | undefined }[] = [];
  const applyNext = async (): Promise<void> => {
    const p = pending.shift()!;
    const reply = await worker!.next();
    if (p.diags) for (const d of p.diags) diag.skip(d[0], d[1], d[2]);
    for (const [s, message] of reply.diags) diag.skip(p.source, p.line + (s - p.seq), message);
    engine.apply(reply.log);
  };
  try {
    for (let r = held.length ? undefined : await it.next(); ; r = held.length ? undefined : await it.next()) {
      let chunk: LineChunk;
      if (r === undefined) chunk = held.shift()!;
      else if (r.done) break;
      else chunk = r.value;
      if (!worker) runChunk(engine, chunk, seq, diag, undefined);
      else if (pending.length - worker.ready < 2) {
        // the worker has little to do: it parses this chunk too
        worker.sendText(chunk.text, seq);
        pending.push({ source: chunk.source, line: chunk.line, seq, diags: undefined });
      } else {
        const diags: Deferred[] = [];
        runChunk(engine, chunk, seq, deferTo(diags), encoder);
        worker.sendFlows(encoder!.take());
        pending.push({ source: chunk.source, line: chunk.line, seq, diags });
      }
      seq += chunk.lines;
      // the worker may be a few chunks behind; this thread waits beyond that (bounded memory)
      while (pending.length > 4 || (worker && worker.ready > 0)) await applyNext();
      const out = engine.take();
      if (out.length) {
        events += out.length;
        yield out;
      }
    }
    if (worker) {
      worker.finish();
      while (pending.length) await applyNext();
      engine.finish();
      const last = await worker.next();
      flows = last.flows ?? 0;
      nonFlows = last.nonFlows ?? 0;
      engine.apply(last.log);
    } else engine.finish();
  } finally {
    worker?.stop();
  }
  const out = engine.take();
  events += out.length;
  if (stats) {
    stats.flows = engine.flowsSeen + flows;
    stats.nonFlows = engine.nonFlows + nonFlows;
    stats.events = events;
    stats.suppressed = engine.suppressed;
  }
  if (out.length) yield out;
}

type Deferred = [string, string | number | undefined, string];

/** Diagnostics that keep the skips for later (the rest of the interface is not used on this path). */
function deferTo(list: Deferred[]): Diagnostics {
  return { skip: (source: string, where: string | number | undefined, message: string) => list.push([source, where, message]) } as unknown as Diagnostics;
}

/**
 * The lines of a chunk, parsed and checked one at a time (diagnostics in input order); with an
 * encoder, the flows go to it for the worker.
 */
function runChunk(engine: Engine, chunk: LineChunk, seq: number, diag: Diagnostics, encoder: FlowEncoder | undefined): void {
  const last = engine.last;
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
      else if (encoder && last.used) encoder.add(rec as Flow, seq, last.t, last.tEnd, t);
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
