// The detection engine: hands each flow to the methods, keeps one open event per key
// (src + method + submethod), widens it with later candidates inside the method's window, and
// writes it when flow time has moved past the window (or at end of input). Flow time is the
// latest flow end seen minus a reorder slack, so moderately disordered input gives the same
// events. Memory is the methods' open windows plus the open events.
import { createHash } from 'node:crypto';
import type { CidrSet } from '../net.js';
import { priorityRank, type Event, type Flow, type Priority } from '../record.js';
import { firstMatch, type FpRule } from '../fp/rules.js';
import { engineSettings, methodSettings } from './config.js';
import type { Perspective } from './perspectives.js';
import type { Candidate, DetectConfig, DetectionMethod, MethodInstance } from './types.js';
import { sortIps } from '../net.js';

export interface EngineOptions {
  methods: DetectionMethod[];
  config: DetectConfig;
  localNets: CidrSet;
  perspective: Perspective;
  fpRules?: readonly FpRule[];
}

interface OpenEvent {
  key: string;
  method: DetectionMethod;
  windowMs: number;
  /** how much longer the event stays open for a method that reports in parts */
  holdMs: number;
  submethod: string;
  src: string;
  start: number;
  end: number;
  targets: Set<string>;
  ports: Set<number>;
  proto: string | undefined;
  detail: string;
  evidence: Record<string, unknown>;
  flows: string[];
  flowSet: Set<string>;
  minPriority: Priority | undefined;
}

/**
 * Milliseconds of an ISO time; the common `YYYY-MM-DDTHH:MM:SS.mmmZ` form without Date.parse.
 * Flows of one capture share their day: its ten characters are compared as char codes with the
 * last day's (cheaper than startsWith), and its milliseconds come from Date.parse once a day.
 */
let d0 = -1, d1 = -1, d2 = -1, d3 = -1, d4 = -1, d5 = -1, d6 = -1, d7 = -1, d8 = -1, d9 = -1; // prettier-ignore
let lastDayMs = NaN;
export function fastTimeMs(s: unknown): number {
  if (typeof s !== 'string') return NaN;
  if (s.length === 24 && s.charCodeAt(23) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && s.charCodeAt(19) === 46) {
    const c0 = s.charCodeAt(0), c1 = s.charCodeAt(1), c2 = s.charCodeAt(2), c3 = s.charCodeAt(3), c4 = s.charCodeAt(4); // prettier-ignore
    const c5 = s.charCodeAt(5), c6 = s.charCodeAt(6), c7 = s.charCodeAt(7), c8 = s.charCodeAt(8), c9 = s.charCodeAt(9); // prettier-ignore
    if (c9 !== d9 || c8 !== d8 || c6 !== d6 || c5 !== d5 || c3 !== d3 || c2 !== d2 || c1 !== d1 || c0 !== d0 || c4 !== d4 || c7 !== d7) {
      d0 = c0; d1 = c1; d2 = c2; d3 = c3; d4 = c4; d5 = c5; d6 = c6; d7 = c7; d8 = c8; d9 = c9; // prettier-ignore
      lastDayMs = Date.parse(s.slice(0, 10) + 'T00:00:00.000Z');
    }
    const day = lastDayMs;
    const h = (s.charCodeAt(11) - 48) * 10 + s.charCodeAt(12) - 48;
    const m = (s.charCodeAt(14) - 48) * 10 + s.charCodeAt(15) - 48;
    const sec = (s.charCodeAt(17) - 48) * 10 + s.charCodeAt(18) - 48;
    const ms = (s.charCodeAt(20) - 48) * 100 + (s.charCodeAt(21) - 48) * 10 + s.charCodeAt(22) - 48;
    if (h >= 0 && h < 24 && m >= 0 && m < 60 && sec >= 0 && sec < 61 && ms >= 0 && ms < 1000 && day === day) {
      return day + ((h * 60 + m) * 60 + sec) * 1000 + ms;
    }
  }
  return Date.parse(s);
}

/**
 * What the engine needs from each flow's methods, the part that can run in another thread: the
 * checks a flow record must pass, the methods' flow() calls in order and the moments their
 * windows are moved on (once per second of flow time, `slack` behind the latest flow end). Two
 * runners fed the same lines make the same calls at the same flows, so the methods may be split
 * between threads (core/detect.ts) with the same candidates at the same moments.
 */
export class MethodRunner {
  /** records that were not flows (passed over) */
  nonFlows = 0;
  flowsSeen = 0;
  /** what is being done: the input line (its number in the whole input) and the phase */
  seq = 0;
  phase: Phase = PHASE_FLOW;
  private readonly insts: MethodInstance[] = [];
  private maxEnd = -Infinity;
  private lastAdvance = -Infinity;
  private readonly slackMs: number;

  /**
   * `methods[i]` for each i of `run` (ascending) run here; `emit(i, c)` gets their candidates
   * with the method's index, `advanced(now)` is called after the methods' windows moved on to `now`.
   */
  constructor(methods: readonly DetectionMethod[], run: readonly number[], config: DetectConfig, localNets: CidrSet, emit: (i: number, c: Candidate) => void, advanced?: (now: number) => void) {
    this.slackMs = engineSettings(config).reorder_slack_s * 1000;
    this.advanced = advanced;
    const shared = new Map<string, unknown>();
    for (const i of run) {
      const method = methods[i]!;
      this.insts.push(
        method.create({
          settings: methodSettings(method.defaults, config, method.name),
          config,
          localNets,
          // a copy as it is now: a method may go on changing its arrays after it reported, and the
          // event must say what it said then (whether it is written at once or a chunk later)
          emit: (c) => emit(i, structuredClone(c)),
          shared,
        }),
      );
    }
  }

  private readonly advanced: ((now: number) => void) | undefined;

  /**
   * One input record. Returns undefined when it was used or passed over (not a flow), or a
   * message saying why a flow record cannot be used.
   */
  push(rec: Record<string, unknown>): string | undefined {
    this.used = false;
    if (rec.kind !== 'flow') {
      this.nonFlows++;
      return undefined;
    }
    const t = fastTimeMs(rec.start);
    if (Number.isNaN(t)) return 'flow without a valid start time';
    let tEnd = fastTimeMs(rec.end);
    if (Number.isNaN(tEnd) || tEnd < t) tEnd = t;
    if (typeof rec.proto !== 'string') return 'flow without proto';
    const bad = badField(rec);
    if (bad !== undefined) return bad;
    this.flowsSeen++;
    this.used = true;
    this.t = t;
    this.tEnd = tEnd;
    this.run(rec as Flow, t, tEnd);
    return undefined;
  }

  /** whether the last record pushed was a flow the methods got, and its times */
  used = false;
  t = 0;
  tEnd = 0;

  /** A flow that passed the checks of push() (in another thread), with its times. */
  run(f: Flow, t: number, tEnd: number): void {
    const insts = this.insts;
    this.phase = PHASE_FLOW;
    for (let i = 0; i < insts.length; i++) insts[i]!.flow(f, t, tEnd);
    if (tEnd > this.maxEnd) {
      this.maxEnd = tEnd;
      const now = tEnd - this.slackMs;
      // windows are seconds to minutes long: moving the clock once per second of flow time is enough
      if (now - this.lastAdvance >= 1000) {
        this.lastAdvance = now;
        this.phase = PHASE_ADVANCE;
        for (let i = 0; i < insts.length; i++) insts[i]!.advance?.(now);
        this.advanced?.(now);
      }
    }
  }

  /** End of input: every method reports what is open. */
  finish(): void {
    this.seq = Infinity;
    this.phase = PHASE_FINISH;
    for (const inst of this.insts) inst.finish();
  }
}

export type Phase = 0 | 1 | 2;
export const PHASE_FLOW = 0;
export const PHASE_ADVANCE = 1;
export const PHASE_FINISH = 2;

/**
 * What a runner in another thread reports, in the order it happened: a candidate (with the line
 * and phase it came at and its method's index), or a number, the flow time the clock moved to
 * (the engine then closes the events whose window has passed, as it does in one thread).
 */
export type LogEntry = LoggedCandidate | number;

export interface LoggedCandidate {
  seq: number;
  phase: Phase;
  i: number;
  c: Candidate;
}

export class Engine {
  /** events suppressed by the false-positive rules */
  suppressed = 0;
  private readonly runner: MethodRunner;
  private readonly methods: DetectionMethod[];
  private readonly open = new Map<string, OpenEvent>();
  private ready: Event[] = [];
  private readonly maxTargets: number;
  private readonly maxFlows: number;
  private readonly windows: number[] = [];
  private readonly holds: number[] = [];
  private finished = false;
  /** remote mode: the methods run in a worker, their candidates and clock moves come in through apply() */
  private readonly remote: boolean;

  /**
   * `remote`: the methods run elsewhere (--threads 2); this engine only checks the records it
   * is given (push) and makes events of what comes in through apply().
   */
  constructor(
    private readonly opts: EngineOptions,
    remote = false,
  ) {
    const eng = engineSettings(opts.config);
    this.maxTargets = Math.max(1, Math.floor(eng.max_targets));
    this.maxFlows = Math.floor(eng.max_evidence_flows);
    this.methods = opts.methods;
    this.remote = remote;
    for (const method of opts.methods) {
      const settings = methodSettings(method.defaults, opts.config, method.name);
      // the event window follows the method's settings when the config changes them
      const w = settings.event_window_s ?? settings.window_s ?? settings.idle_s;
      this.windows.push(typeof w === 'number' ? w * 1000 : method.windowMs);
      // a method that reports a long-running attack in parts (max_span_s) may report the next
      // part up to that long after it began: the event stays open for it
      this.holds.push(typeof settings.max_span_s === 'number' ? settings.max_span_s * 1000 : 0);
    }
    this.runner = new MethodRunner(
      opts.methods,
      remote ? [] : opts.methods.map((_, i) => i),
      opts.config,
      opts.localNets,
      (i, c) => this.candidate(i, c),
      remote ? undefined : (now) => this.closeBefore(now),
    );
  }

  /** records that were not flows (passed over) */
  get nonFlows(): number {
    return this.runner.nonFlows;
  }

  get flowsSeen(): number {
    return this.runner.flowsSeen;
  }

  /**
   * One input record (`seq`: its line in the whole input, used in split mode). Returns
   * undefined when it was used or passed over (not a flow), or a message saying why a flow
   * record cannot be used.
   */
  push(rec: Record<string, unknown>, seq = 0): string | undefined {
    this.runner.seq = seq;
    return this.runner.push(rec);
  }

  /** The runner of this thread's methods (what the last push did: used, t, tEnd). */
  get last(): MethodRunner {
    return this.runner;
  }

  /** End of input: every method reports what is open, then every event is written (remote: after the last apply()). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.runner.finish();
    if (!this.remote) this.closeAll();
  }

  /**
   * Remote mode: what the methods reported, in order. After `finish()`, with the log of the end
   * of input, every event is then written.
   */
  apply(log: readonly LogEntry[]): void {
    for (let k = 0; k < log.length; k++) {
      const x = log[k]!;
      if (typeof x === 'number') this.closeBefore(x);
      else this.candidate(x.i, x.c);
    }
    if (this.finished) this.closeAll();
  }

  /** Events closed so far (each returned once), in the order they closed. */
  take(): Event[] {
    const r = this.ready;
    this.ready = [];
    return r;
  }

  private closeAll(): void {
    const rest = [...this.open.values()].sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.open.clear();
    for (const e of rest) this.close(e);
  }

  private closeBefore(now: number): void {
    let closing: OpenEvent[] | undefined;
    for (const e of this.open.values()) {
      if (e.end + e.windowMs + e.holdMs < now) (closing ??= []).push(e);
    }
    if (closing) {
      closing.sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : 1));
      for (const e of closing) {
        this.open.delete(e.key);
        this.close(e);
      }
    }
  }

  private candidate(i: number, c: Candidate): void {
    const method = this.methods[i]!;
    const key = `${method.name}\u0000${c.submethod}\u0000${c.src}`;
    let e = this.open.get(key);
    const windowMs = this.windows[i]!;
    if (e && c.start > e.end + windowMs) {
      this.open.delete(key);
      this.close(e);
      e = undefined;
    }
    if (!e) {
      e = {
        key,
        method,
        windowMs,
        holdMs: this.holds[i]!,
        submethod: c.submethod,
        src: c.src,
        start: c.start,
        end: c.end,
        targets: new Set(),
        ports: new Set(),
        proto: c.proto,
        detail: c.detail,
        evidence: c.evidence,
        flows: [],
        flowSet: new Set(),
        minPriority: c.minPriority,
      };
      this.open.set(key, e);
    } else {
      if (c.start < e.start) e.start = c.start;
      if (c.end > e.end) e.end = c.end;
      // the later candidate has seen more: its sentence and figures replace the earlier ones
      e.detail = c.detail;
      e.evidence = c.evidence;
      if (c.proto !== undefined) e.proto = e.proto === undefined || e.proto === c.proto ? c.proto : e.proto;
      if (c.minPriority && (!e.minPriority || priorityRank(c.minPriority) > priorityRank(e.minPriority))) e.minPriority = c.minPriority;
    }
    for (const t of c.targets) e.targets.add(t);
    if (c.ports) for (const p of c.ports) e.ports.add(p);
    for (const id of c.flows) {
      if (e.flows.length >= this.maxFlows) break;
      if (!e.flowSet.has(id)) {
        e.flowSet.add(id);
        e.flows.push(id);
      }
    }
  }

  private close(e: OpenEvent): void {
    const m = e.method;
    const allTargets = sortIps(e.targets);
    let priority = this.opts.perspective.priority(m.name, e.submethod, e.src, allTargets, m.priority[e.submethod] ?? 'medium');
    if (e.minPriority && priorityRank(e.minPriority) > priorityRank(priority)) priority = e.minPriority;
    const ports = [...e.ports].sort((a, b) => a - b);
    const cut = allTargets.length > this.maxTargets;
    const ev: Event = {
      kind: 'event',
      id: eventId(e.key, e.start),
      start: new Date(e.start).toISOString(),
      end: new Date(e.end).toISOString(),
      method: m.name,
      submethod: e.submethod,
      title: m.title[e.submethod] ?? m.name,
      priority,
      src: e.src,
      targets: cut ? allTargets.slice(0, this.maxTargets) : allTargets,
    } as Event;
    if (cut) ev.target_count = allTargets.length;
    if (ports.length) {
      ev.ports = ports.length > this.maxTargets ? ports.slice(0, this.maxTargets) : ports;
      if (ports.length > this.maxTargets) ev.port_count = ports.length;
    }
    if (e.proto !== undefined) ev.proto = e.proto;
    ev.detail = e.detail;
    ev.evidence = { ...e.evidence, flows: e.flows };
    const attack = m.attack[e.submethod];
    if (attack) ev.attack = { tactic: attack.tactic, technique: attack.technique };
    if (this.opts.fpRules?.length && firstMatch(this.opts.fpRules, ev)) {
      this.suppressed++;
      return;
    }
    this.ready.push(ev);
  }
}

const badCount = (v: unknown) => v !== undefined && (typeof v !== 'number' || !(v >= 0));
const badText = (v: unknown) => v !== undefined && typeof v !== 'string';
const badObject = (v: unknown) => v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v));

/**
 * The methods rely on the contract's field types: a flow that breaks them is skipped, said why.
 * Named property reads (not a loop over names): this runs for every flow.
 */
function badField(r: Record<string, unknown>): string | undefined {
  if (badCount(r.pkts) || badCount(r.bytes) || badCount(r.rpkts) || badCount(r.rbytes) || badCount(r.sport) || badCount(r.dport) || badCount(r.icmp_type)) {
    for (const k of ['pkts', 'bytes', 'rpkts', 'rbytes', 'sport', 'dport', 'icmp_type']) if (badCount(r[k])) return `flow field ${k} is not a number of at least 0`;
  }
  if (badText(r.src) || badText(r.dst) || badText(r.flags) || badText(r.rflags) || badText(r.state) || badText(r.app) || badText(r.id)) {
    for (const k of ['src', 'dst', 'flags', 'rflags', 'state', 'app', 'id']) if (badText(r[k])) return `flow field ${k} is not a string`;
  }
  if (badObject(r.dns) || badObject(r.dhcp) || badObject(r.arp)) {
    for (const k of ['dns', 'dhcp', 'arp']) if (badObject(r[k])) return `flow field ${k} is not an object`;
  }
  // pkts and bytes are counted by every source; a flow without them counts as empty
  if (r.pkts === undefined) r.pkts = 0;
  if (r.bytes === undefined) r.bytes = 0;
  return undefined;
}

/** Stable event id: a hash of the event key and its start. */
export function eventId(key: string, start: number): string {
  return createHash('sha256').update(`${key}\u0000${start}`).digest('hex').slice(0, 20);
}
