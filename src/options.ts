// Flag helpers shared by the command adapters.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { UsageError } from './errors.js';
import { parseCidr, parseIp, type Cidr } from './net.js';

/** A list flag: comma-separated, and the flag may be repeated (`--x a,b --x c`). */
export function listOption(v: unknown): string[] {
  if (v === undefined || v === null || v === false) return [];
  const parts = Array.isArray(v) ? v : [v];
  return parts.flatMap((p) => String(p).split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
}

export function cidrListOption(v: unknown, flag: string): Cidr[] {
  return listOption(v).map((s) => {
    const c = parseCidr(s);
    if (!c) throw new UsageError(`--${flag}: not an address or network: ${s}`);
    return c;
  });
}

export function ipListOption(v: unknown, flag: string): string[] {
  return listOption(v).map((s) => {
    const ip = parseIp(s);
    if (!ip) throw new UsageError(`--${flag}: not an IP address: ${s}`);
    return ip.text;
  });
}

/** Parse a duration such as `90`, `90s`, `5m`, `1h`, `250ms`, `1d` into milliseconds. */
export function durationMs(v: string | number, flag: string): number {
  if (typeof v === 'number') return v * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(String(v).trim());
  if (!m) throw new UsageError(`--${flag}: not a duration: ${v} (examples: 30s, 5m, 1h)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
}

/** Read a text file named by a flag; a usage error (exit 2) when it cannot be read. */
export function readFlagFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Output format: explicit `--format`, else a table on a terminal and NDJSON elsewhere. */
export function tableOrNdjson(format: unknown, isTTY: boolean): 'table' | 'ndjson' {
  if (format === 'table' || format === 'ndjson') return format;
  return isTTY ? 'table' : 'ndjson';
}

/** CPUs left idle by a 1-minute load average of `load1` on `cores` CPUs, rounded (as `make -l` reads it). */
export function idleCoresOf(cores: number, load1: number): number {
  return Math.floor(cores - load1 + 0.5);
}

/**
 * CPUs this machine leaves idle now: the commands that can use a worker thread start one by
 * default only when a core is free, since on a busy machine a second thread costs CPU time and
 * gives nothing.
 */
export function idleCores(): number {
  return idleCoresOf(availableParallelism(), loadavg()[0]);
}
