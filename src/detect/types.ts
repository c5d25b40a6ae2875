// The interface between the detection engine and the methods (one file per method in
// src/detect/methods/, one line in src/detect/registry.ts). A method sees every flow in
// input order and reports candidates; the engine owns event keys (src + method + submethod),
// merging within the method's window, priorities (perspectives), ids, fp rules and output.
import type { Flow, Priority } from '../record.js';
import type { CidrSet } from '../net.js';

export interface Attack {
  tactic: string;
  technique: string;
}

/** One detection, as a method reports it; times are epoch ms of flow time. */
export interface Candidate {
  method: string;
  submethod: string;
  src: string;
  targets: string[];
  start: number;
  end: number;
  ports?: number[];
  proto?: string;
  /** one sentence for an analyst, with the numbers */
  detail: string;
  /** the figures the decision rests on (the engine adds `flows`) */
  evidence: Record<string, unknown>;
  /** ids of the flows the decision rests on (the engine keeps up to 20) */
  flows: string[];
  /** a floor for the event's priority (e.g. a password guess that succeeded is critical whatever the perspective says) */
  minPriority?: Priority;
}

/** What a method gets from the engine. */
export interface MethodContext {
  /** this method's thresholds: its defaults overlaid with the config file's section */
  settings: Record<string, any>;
  /** the whole configuration (allowed servers, local networks, other sections) */
  config: DetectConfig;
  localNets: CidrSet;
  /** report a detection; the engine merges it into the open event of the same key */
  emit(c: Candidate): void;
  /** what methods tell each other (e.g. DHCPANOM publishes the DNS servers a rogue DHCP server handed out) */
  shared: Map<string, unknown>;
}

/** The running state of a method for one input. Memory must be bounded by open windows. */
export interface MethodInstance {
  /** each flow, in input order (`t` is the flow's start in ms, `tEnd` its end) */
  flow(f: Flow, t: number, tEnd: number): void;
  /** flow time has advanced to `now` (ms): close windows that ended before it */
  advance?(now: number): void;
  /** end of input: report what is still open */
  finish(): void;
}

export interface DetectionMethod {
  /** method code, e.g. SCANS */
  name: string;
  submethods: string[];
  /** name for people, per submethod (e.g. `SSH dictionary attack`) */
  title: Record<string, string>;
  attack: Record<string, Attack>;
  /** default priority per submethod (the default perspective) */
  priority: Record<string, Priority>;
  /** the method's window in ms: a later candidate of the same key within it widens the event */
  windowMs: number;
  /** every threshold, with its default (documented in fir-detect(1)) */
  defaults: Record<string, unknown>;
  create(ctx: MethodContext): MethodInstance;
}

export interface DetectConfig {
  local_nets?: string[];
  dhcp_servers?: string[];
  dns_servers?: string[];
  /** per-method thresholds: { "SCANS": { "min_targets": 20, … }, … } */
  methods?: Record<string, Record<string, unknown>>;
  perspectives?: Record<string, unknown>;
  [k: string]: unknown;
}
