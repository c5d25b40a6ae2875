// `fir detect` as a transform: flow records in, event records out, via the engine and the
// methods of src/detect/. Never touches yargs or process.
import type { Diagnostics } from '../diag.js';
import { UsageError } from '../errors.js';
import { parseRecordLine, type InputLine } from '../io.js';
import { CidrSet } from '../net.js';
import type { Event } from '../record.js';
import type { FpRule } from '../fp/rules.js';
import { Engine } from '../detect/engine.js';
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

export function createEngine(opts: DetectOptions): Engine {
  const name = opts.perspective ?? (typeof opts.config.perspective === 'string' ? opts.config.perspective : 'default');
  const perspective = new Perspective(name, perspectiveDefs(opts.config));
  const localNets = new CidrSet(opts.config.local_nets ?? []);
  return new Engine({
    methods: selectMethods(opts.methods),
    config: opts.config,
    localNets,
    perspective,
    ...(opts.fpRules ? { fpRules: opts.fpRules } : {}),
  });
}

/**
 * Events from batches of input lines (NDJSON), in the order they close (their window has passed in
 * flow time), then those open at the end of input by start. Records that are not flows are
 * passed over; a flow that cannot be used is reported as SOURCE:LINE and skipped.
 */
export async function* detect(batches: AsyncIterable<InputLine[]>, opts: DetectOptions, diag: Diagnostics, stats?: DetectStats): AsyncGenerator<Event[]> {
  const engine = createEngine(opts);
  let events = 0;
  for await (const batch of batches) {
    // lines are parsed and used one at a time, so diagnostics come out in input order
    for (let i = 0; i < batch.length; i++) {
      const l = batch[i]!;
      const rec = parseRecordLine(l, diag);
      if (rec === undefined) continue;
      const why = engine.push(rec);
      if (why !== undefined) diag.skip(l.source, l.line, why);
    }
    const out = engine.take();
    if (out.length) {
      events += out.length;
      yield out;
    }
  }
  engine.finish();
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

/** Run detect over an array of flows (tests, library use). */
export function detectArray(flows: Record<string, unknown>[], opts: DetectOptions): Event[] {
  const engine = createEngine(opts);
  for (const f of flows) engine.push(f);
  engine.finish();
  return engine.take();
}
