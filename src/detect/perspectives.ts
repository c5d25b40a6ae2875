// Perspectives: named priority tables. A perspective says how much each method and submethod
// matters to the one who reads the events, and may narrow that by source or target network
// (rules, first match wins). `default` is the methods' own priorities.
import { UsageError } from '../errors.js';
import { CidrSet } from '../net.js';
import { isPriority, type Priority } from '../record.js';
import type { DetectConfig } from './types.js';

export interface PerspectiveDef {
  description?: string;
  /** a perspective whose table and rules apply where this one says nothing */
  extends?: string;
  /** METHOD → priority, or METHOD → { SUBMETHOD | "*" → priority } */
  priorities?: Record<string, Priority | Record<string, Priority>>;
  /** checked first, in order: the first rule whose method, submethod, src and target networks match decides */
  rules?: { method?: string; submethod?: string; src?: string | string[]; target?: string | string[]; priority: Priority }[];
}

/** Perspectives every config has; a config file may add more or replace these. */
export const BUILTIN_PERSPECTIVES: Record<string, PerspectiveDef> = {
  default: {
    description: "each method's own priorities (fir-detect(1) lists them)",
  },
  quiet: {
    description: 'only what needs action now: reconnaissance (scans, sweeps) is low and unusual DNS servers are info',
    priorities: {
      SCANS: 'low',
      ICMPANOM: { ICMPSCAN: 'low' },
      DNSANOMALY: { UNUSUALSERVER: 'info' },
    },
  },
};

interface CompiledRule {
  method?: string;
  submethod?: string;
  src?: CidrSet;
  target?: CidrSet;
  priority: Priority;
}

export class Perspective {
  private readonly rules: CompiledRule[] = [];
  private readonly tables: NonNullable<PerspectiveDef['priorities']>[] = [];

  constructor(
    readonly name: string,
    defs: Record<string, PerspectiveDef>,
  ) {
    const seen = new Set<string>();
    let cur: string | undefined = name;
    while (cur !== undefined) {
      if (seen.has(cur)) throw new UsageError(`--perspective: ${name}: "extends" makes a loop through ${cur}`);
      seen.add(cur);
      const d: PerspectiveDef | undefined = defs[cur];
      if (!d) {
        const known = Object.keys(defs).sort().join(', ');
        throw new UsageError(cur === name ? `--perspective: unknown perspective ${name} (perspectives: ${known})` : `--perspective: ${name} extends an unknown perspective ${cur}`);
      }
      for (const r of d.rules ?? []) {
        const list = (v: string | string[] | undefined) => (v === undefined ? undefined : new CidrSet(Array.isArray(v) ? v : [v]));
        const c: CompiledRule = { priority: r.priority };
        if (r.method !== undefined) c.method = r.method.toUpperCase();
        if (r.submethod !== undefined) c.submethod = r.submethod.toUpperCase();
        const s = list(r.src);
        const t = list(r.target);
        if (s) c.src = s;
        if (t) c.target = t;
        this.rules.push(c);
      }
      if (d.priorities) this.tables.push(d.priorities);
      cur = d.extends;
    }
  }

  /** The priority of an event; `fallback` is the method's default for the submethod. */
  priority(method: string, submethod: string, src: string, targets: readonly string[], fallback: Priority): Priority {
    for (const r of this.rules) {
      if (r.method !== undefined && r.method !== method) continue;
      if (r.submethod !== undefined && r.submethod !== submethod) continue;
      if (r.src && !r.src.has(src)) continue;
      if (r.target && !targets.some((t) => r.target!.has(t))) continue;
      return r.priority;
    }
    for (const t of this.tables) {
      const v = t[method];
      if (v === undefined) continue;
      if (typeof v === 'string') return v;
      const p = v[submethod] ?? v['*'];
      if (isPriority(p)) return p;
    }
    return fallback;
  }
}

/** The perspectives of a config: the built-in ones, then the config's (which may replace them). */
export function perspectiveDefs(config: DetectConfig): Record<string, PerspectiveDef> {
  return { ...BUILTIN_PERSPECTIVES, ...((config.perspectives as Record<string, PerspectiveDef> | undefined) ?? {}) };
}
