// False-positive rules: the file that `fir detect --fp-rules` applies and `fir fp` keeps.
// One rule per line as a JSON object with its keys in a fixed order (so `git diff` shows one
// line per rule); `#` comments and blank lines are allowed. The first rule that matches an
// event suppresses it.
//
//   {"method":"SCANS","submethod":"TCPSYN","src":"192.168.1.5/32","ports":[22],"reason":"nessus","who":"ana","when":"2026-11-27T10:00:00.000Z"}
//
// A field left out matches anything. `src` is a network that must hold the event's src;
// `target` a network that must hold every one of its targets; `ports` must hold every one of
// its ports (a rule with ports never matches an event without ports).
import { UsageError } from '../errors.js';
import { CidrSet, parseCidr } from '../net.js';

export interface FpRule {
  method?: string;
  submethod?: string;
  /** a network (CIDR or single address) holding the event's src */
  src?: string;
  /** a network holding every target of the event */
  target?: string;
  ports?: number[];
  /** why this is not an incident (required) */
  reason: string;
  /** who added the rule */
  who?: string;
  /** when it was added (ISO time) */
  when?: string;
}

/** The parts of an event a rule looks at. */
export interface FpEventLike {
  method: string;
  submethod: string;
  src: string;
  targets?: string[];
  ports?: number[];
}

/** The key order of the file format. */
export const RULE_FIELDS = ['method', 'submethod', 'src', 'target', 'ports', 'reason', 'who', 'when'] as const;

interface Compiled {
  src?: CidrSet;
  target?: CidrSet;
  ports?: Set<number>;
}
const compiled = new WeakMap<FpRule, Compiled>();

/** Check one rule object; returns the canonical rule, or a message saying what is wrong. */
export function validateRule(obj: unknown): FpRule | string {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'a rule is a JSON object';
  const o = obj as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(RULE_FIELDS as readonly string[]).includes(k)) return `unknown field "${k}" (fields: ${RULE_FIELDS.join(', ')})`;
  }
  const rule: FpRule = { reason: '' };
  for (const k of ['method', 'submethod'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'string' || !/^[A-Za-z0-9_]+$/.test(o[k] as string)) return `"${k}" must be a method code such as SCANS`;
    rule[k] = (o[k] as string).toUpperCase();
  }
  for (const k of ['src', 'target'] as const) {
    if (o[k] === undefined) continue;
    const c = typeof o[k] === 'string' ? parseCidr(o[k] as string) : undefined;
    if (!c) return `"${k}" must be an address or network (CIDR)`;
    rule[k] = c.text;
  }
  if (o.ports !== undefined) {
    const p = typeof o.ports === 'number' ? [o.ports] : o.ports;
    if (!Array.isArray(p) || p.length === 0 || !p.every((n) => Number.isInteger(n) && n >= 0 && n <= 65535)) {
      return '"ports" must be a port number or a non-empty array of port numbers';
    }
    rule.ports = [...new Set(p as number[])].sort((a, b) => a - b);
  }
  if (typeof o.reason !== 'string' || o.reason.trim() === '') return '"reason" is required: say why this is not an incident';
  rule.reason = o.reason;
  if (o.who !== undefined) {
    if (typeof o.who !== 'string') return '"who" must be a string';
    rule.who = o.who;
  }
  if (o.when !== undefined) {
    if (typeof o.when !== 'string' || Number.isNaN(Date.parse(o.when))) return '"when" must be an ISO time';
    rule.when = o.when;
  }
  return rule;
}

/**
 * Parse a rules file. Blank lines and lines starting with `#` are passed over. A bad line is a
 * usage error (exit 2) naming `SOURCE:LINE`, so a broken rules file never silently lets
 * everything through.
 */
export function parseRules(text: string, source: string): FpRule[] {
  const rules: FpRule[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '' || t.startsWith('#')) continue;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      throw new UsageError(`${source}:${i + 1}: not a JSON object (a rule is one JSON object per line)`);
    }
    const r = validateRule(v);
    if (typeof r === 'string') throw new UsageError(`${source}:${i + 1}: ${r}`);
    rules.push(r);
  }
  return rules;
}

function compile(rule: FpRule): Compiled {
  let c = compiled.get(rule);
  if (!c) {
    c = {};
    if (rule.src !== undefined) c.src = new CidrSet([rule.src]);
    if (rule.target !== undefined) c.target = new CidrSet([rule.target]);
    if (rule.ports !== undefined) c.ports = new Set(rule.ports);
    compiled.set(rule, c);
  }
  return c;
}

/** Whether the rule covers the event (every field the rule has must hold). */
export function ruleMatches(rule: FpRule, event: FpEventLike): boolean {
  if (rule.method !== undefined && rule.method !== event.method.toUpperCase()) return false;
  if (rule.submethod !== undefined && rule.submethod !== event.submethod.toUpperCase()) return false;
  const c = compile(rule);
  if (c.src && !c.src.has(event.src)) return false;
  if (c.target) {
    const t = event.targets ?? [];
    if (t.length === 0) return false;
    for (const a of t) if (!c.target.has(a)) return false;
  }
  if (c.ports) {
    const p = event.ports ?? [];
    if (p.length === 0) return false;
    for (const n of p) if (!c.ports.has(n)) return false;
  }
  return true;
}

/** The first rule that matches, or undefined. */
export function firstMatch(rules: readonly FpRule[], event: FpEventLike): FpRule | undefined {
  for (const r of rules) if (ruleMatches(r, event)) return r;
  return undefined;
}

/** One line of the rules file, keys in the file's order. */
export function formatRule(rule: FpRule): string {
  const o: Record<string, unknown> = {};
  for (const k of RULE_FIELDS) if (rule[k] !== undefined) o[k] = rule[k];
  return JSON.stringify(o);
}
