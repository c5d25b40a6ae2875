// Shared helpers for CLI tests: run bin/fir through execa and check records with the contract's checker.
import { execa, type Options } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIR = path.join(ROOT, 'bin', 'fir');
export const TESTDATA = path.join(ROOT, 'testdata');
/** ../shared beside the clone (CI lays a copy there); tests that need it skip when absent. */
export const SHARED = path.resolve(ROOT, '..', 'shared');
export const hasShared = existsSync(path.join(SHARED, 'spec', 'check_records.py'));

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Run `fir ARGS…` with optional stdin text or file; never throws on a non-zero exit. */
export async function fir(args: string[], opts: { input?: string; inputFile?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> {
  const o: Options = { reject: false, cwd: opts.cwd ?? ROOT, env: { NO_COLOR: '1', ...opts.env }, stripFinalNewline: false };
  if (opts.input !== undefined) o.input = opts.input;
  else if (opts.inputFile !== undefined) o.inputFile = opts.inputFile;
  else o.stdin = 'ignore';
  const r = await execa(FIR, args, o);
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
}

/** Parse NDJSON text into records. */
export function records<T = Record<string, any>>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** Run ../shared/spec/check_records.py on NDJSON text; returns its output and status. */
export async function checkRecords(text: string): Promise<{ ok: boolean; output: string }> {
  const r = await execa('python3', [path.join(SHARED, 'spec', 'check_records.py')], { input: text, reject: false });
  return { ok: r.exitCode === 0, output: String(r.stdout) };
}
