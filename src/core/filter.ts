// fir filter: the expression compiled once to a predicate; records routed to pass or fail as
// the bytes they came in with (the input loop is filter/stream.ts). JSON is parsed once per line.
import { CidrSet } from '../net.js';
import { idleCoresOf } from '../options.js';
import { compile, ipListPredicate, type Predicate } from '../filter/compile.js';
import { parseFilter } from '../filter/parser.js';

export { FilterSyntaxError } from '../filter/lexer.js';
export { filterSources, type WorkerSetup } from '../filter/stream.js';
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

/** Bytes tested on the main thread before worker threads start (each costs ~30 ms to start). */
export const INLINE_BYTES = 32 << 20;

/**
 * Worker threads: `--threads N` as asked (1: none). Else one per idle core (the cores less the
 * 1-minute load average, as `make -l` does), at most 4, when at least two are idle, started only
 * once the input passes INLINE_BYTES: small inputs, slow pipes and a busy machine never pay for
 * them (on a saturated machine workers only add copying).
 */
export function threadPlan(asked: number | undefined, cores: number, load1: number): { threads: number; inlineBytes: number } {
  if (asked !== undefined) return { threads: asked, inlineBytes: 0 };
  const idle = idleCoresOf(cores, load1);
  return { threads: idle >= 2 ? Math.min(idle, 4) : 1, inlineBytes: INLINE_BYTES };
}
