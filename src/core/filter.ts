// fir filter as a pure transform: lines in, each good record routed to pass or fail as the
// bytes it came in with. JSON is parsed once per line; the expression is compiled once.
import type { Diagnostics } from '../diag.js';
import { parseRecordLine, type InputLine } from '../io.js';
import { CidrSet } from '../net.js';
import { compile, ipListPredicate, type Predicate, type Rec } from '../filter/compile.js';
import { parseFilter } from '../filter/parser.js';

export { FilterSyntaxError } from '../filter/lexer.js';
export { filterParallel, type WorkerSetup } from '../filter/parallel.js';
export type { Predicate, Rec } from '../filter/compile.js';

export interface FilterOptions {
  /** records whose src, dst or a target is in these networks (`--ip-list`), and-ed with the expression */
  ipList?: CidrSet;
  /** pass the records that do not match (`-v`) */
  invert?: boolean;
}

/** Compile an expression (and an ip list) to a predicate; throws FilterSyntaxError. */
export function compileFilter(expr: string, opts: FilterOptions = {}): Predicate {
  const p = compile(parseFilter(expr));
  const list = opts.ipList ? ipListPredicate(opts.ipList) : undefined;
  const both: Predicate = list ? (r) => list(r) && p(r) : p;
  return opts.invert ? (r) => !both(r) : both;
}

/** An ip list file: one address or network per line, `#` starts a comment. */
export function parseIpList(text: string, source: string): { set: CidrSet; errors: string[] } {
  const set = new CidrSet();
  const errors: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i].indexOf('#');
    const entry = (hash >= 0 ? lines[i].slice(0, hash) : lines[i]).trim();
    if (!entry) continue;
    if (!set.add(entry)) errors.push(`${source}:${i + 1}: not an IP address or network: ${entry}`);
  }
  return { set, errors };
}

/** Where a record goes: a sink returns a promise only when the caller must wait. */
export type Sink = (raw: string) => void | Promise<void>;

export interface FilterCounts {
  read: number;
  passed: number;
  failed: number;
}

/**
 * Route every record of the line batches: to `pass` when the predicate holds, else to `fail`
 * (when given). A line that is not a JSON object is reported with source:line and skipped.
 */
export async function filterLines(batches: AsyncIterable<InputLine[]>, test: Predicate, diag: Diagnostics, pass: Sink, fail?: Sink): Promise<FilterCounts> {
  const counts: FilterCounts = { read: 0, passed: 0, failed: 0 };
  for await (const batch of batches) {
    for (let i = 0; i < batch.length; i++) {
      const l = batch[i];
      const rec = parseRecordLine(l, diag);
      if (rec === undefined) continue;
      counts.read++;
      if (test(rec as Rec)) {
        counts.passed++;
        const p = pass(l.text);
        if (p) await p;
      } else {
        counts.failed++;
        if (fail) {
          const p = fail(l.text);
          if (p) await p;
        }
      }
    }
  }
  return counts;
}

/** Filter an array of records (for tests and reuse): the ones that match. */
export function filterRecords<T extends Rec>(records: T[], expr: string, opts: FilterOptions = {}): T[] {
  const test = compileFilter(expr, opts);
  return records.filter((r) => test(r));
}

/** Inputs at least this large are filtered on several cores (worker start-up is ~30 ms each). */
export const PARALLEL_MIN_BYTES = 32 << 20;

/**
 * Worker threads for an input of `bytes` (undefined: unknown, such as a pipe) on `cores` cores:
 * 1 (no workers) for small or unknown inputs, else one worker per core, at most 4.
 */
export function autoThreads(bytes: number | undefined, cores: number): number {
  if (bytes === undefined || bytes < PARALLEL_MIN_BYTES || cores < 2) return 1;
  return Math.min(cores, 4);
}
