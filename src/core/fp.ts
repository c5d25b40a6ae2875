// fir fp: keep the false-positive rules file that `fir detect --fp-rules` applies. The file
// format and matching live in src/fp/rules.ts; this is the part that makes rules: from flags,
// from an event (the narrowest rule that suppresses it), and appends them to the file.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { parseCidr, parseIp } from '../net.js';
import { formatRule, parseRules, ruleMatches, validateRule, type FpRule } from '../fp/rules.js';

/** The default rules file: $FIR_FP_RULES, else fir-fp-rules.ndjson in the current folder. */
export const DEFAULT_RULES_FILE = 'fir-fp-rules.ndjson';

export function rulesPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? (env.FIR_FP_RULES && env.FIR_FP_RULES.length ? env.FIR_FP_RULES : DEFAULT_RULES_FILE);
}

const HEADER = '# fir false-positive rules (fir-fp(1)): one JSON object per line, the first rule that matches an event suppresses it\n';

/** The smallest network holding every address (one family), or undefined when there is none. */
export function coveringNetwork(addrs: string[]): string | undefined {
  const ips = addrs.map((a) => parseIp(a));
  if (ips.length === 0 || ips.some((p) => !p) || new Set(ips.map((p) => p!.version)).size !== 1) return undefined;
  const v = ips[0]!.version;
  const bits = v === 4 ? 32 : 128;
  const vals = ips.map((p) => BigInt(p!.value));
  let min = vals[0]!;
  let max = vals[0]!;
  for (const x of vals) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const diff = min ^ max;
  const prefix = bits - (diff === 0n ? 0 : diff.toString(2).length);
  if (prefix === 0) return undefined;
  return parseCidr(`${ips[0]!.text}/${prefix}`)?.text;
}

export interface Stamp {
  who: string;
  when: string;
}

/**
 * The narrowest rule that suppresses the event: its method and submethod, its source as a
 * single address, the smallest network that holds all its targets, and its ports.
 */
export function ruleFromEvent(ev: Record<string, unknown>, reason: string | undefined, stamp: Stamp): FpRule | string {
  if (ev.kind !== 'event') return 'not an event record';
  if (typeof ev.method !== 'string' || typeof ev.submethod !== 'string' || typeof ev.src !== 'string') return 'the event needs method, submethod and src';
  const src = parseIp(ev.src);
  if (!src) return `the event's src is not an address: ${ev.src.slice(0, 60)}`;
  const o: Record<string, unknown> = { method: ev.method, submethod: ev.submethod, src: `${src.text}/${src.version === 4 ? 32 : 128}` };
  const targets = Array.isArray(ev.targets) ? ev.targets.filter((t): t is string => typeof t === 'string') : [];
  const net = coveringNetwork(targets);
  if (net) o.target = net;
  const ports = Array.isArray(ev.ports) ? ev.ports.filter((p) => Number.isInteger(p)) : [];
  if (ports.length) o.ports = ports;
  o.reason = reason ?? `false positive (event ${typeof ev.id === 'string' ? ev.id : 'without id'}: ${typeof ev.title === 'string' ? ev.title : ev.method})`;
  o.who = stamp.who;
  o.when = stamp.when;
  const rule = validateRule(o);
  if (typeof rule === 'string') return rule;
  // the rule must suppress the very event it was made from
  if (!ruleMatches(rule, { method: ev.method, submethod: ev.submethod, src: src.text, targets, ports: ports as number[] })) return 'internal: the rule does not match its event';
  return rule;
}

export interface AddFlags {
  method: string;
  submethod?: string;
  src?: string;
  target?: string;
  ports?: number[];
  reason: string;
}

export function ruleFromFlags(f: AddFlags, stamp: Stamp): FpRule {
  const o: Record<string, unknown> = { method: f.method };
  if (f.submethod !== undefined) o.submethod = f.submethod;
  if (f.src !== undefined) o.src = f.src;
  if (f.target !== undefined) o.target = f.target;
  if (f.ports && f.ports.length) o.ports = f.ports;
  o.reason = f.reason;
  o.who = stamp.who;
  o.when = stamp.when;
  const r = validateRule(o);
  if (typeof r === 'string') throw new UsageError(r);
  return r;
}

/** The rules of a file; an empty list when it does not exist yet. */
export function readRulesFile(path: string): FpRule[] {
  if (!existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseRules(text, path);
}

/**
 * Append rules to the file (created with a comment header). The file is parsed first, so a
 * broken file is reported instead of being extended; rules already in it are not repeated.
 * Returns how many were added.
 */
export function appendRules(path: string, rules: FpRule[]): number {
  const existing = readRulesFile(path);
  const key = (r: FpRule) => formatRule({ ...r, who: undefined, when: undefined, reason: '' } as FpRule);
  const have = new Set(existing.map(key));
  const add: string[] = [];
  for (const r of rules) {
    const k = key(r);
    if (have.has(k)) continue;
    have.add(k);
    add.push(formatRule(r) + '\n');
  }
  if (!add.length) return 0;
  try {
    if (!existsSync(path)) writeFileSync(path, HEADER + add.join(''));
    else {
      const cur = readFileSync(path, 'utf8');
      appendFileSync(path, (cur.length && !cur.endsWith('\n') ? '\n' : '') + add.join(''));
    }
  } catch (err) {
    throw new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return add.length;
}
