// Benchmark helpers: run a command under GNU time for wall time and peak RSS, and print ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIR = path.join(ROOT, 'bin', 'fir');
export const SHARED = path.resolve(ROOT, '..', 'shared');
/** Large inputs live outside the repository. */
export const WORK = process.env.FIR_BENCH_DIR ?? '/tmp/fir-bench';
mkdirSync(WORK, { recursive: true });

export function have(cmd) {
  return spawnSync('bash', ['-c', `command -v ${cmd}`]).status === 0;
}

/**
 * Run a shell command line; returns seconds (wall) and peak RSS in MiB of the slowest/largest
 * process GNU time saw (the command itself; pipelines: give the part to measure as `cmd`).
 */
export function measure(cmd, { stdin, stdout = '/dev/null', env } = {}) {
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time is needed: apt-get install time');
  const timeFile = path.join(WORK, '.time');
  const redirIn = stdin ? ` < ${JSON.stringify(stdin)}` : ' < /dev/null';
  // pipefail: a failing stage of a pipeline fails the measurement instead of looking fast
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, 'bash', '-o', 'pipefail', '-c', cmd + redirIn + ` > ${stdout}`], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  const [secs, kb] = last.split(' ').map(Number);
  if (r.status !== 0) console.error(`bench: failed (status ${r.status}): ${cmd}\n${r.stderr.slice(0, 2000)}`);
  return { secs, rssMiB: kb / 1024, status: r.status, stderr: r.stderr };
}

/** Best of n runs (the machine is shared and noisy). */
export function best(n, fn) {
  let b;
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (!b || r.secs < b.secs) b = r;
  }
  return b;
}

export function report(title, rows) {
  console.log(`\n## ${title}\n`);
  console.log('| what | seconds | rate | peak RSS MiB |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.what} | ${r.secs?.toFixed(2)} | ${r.rate ?? ''} | ${r.rssMiB?.toFixed(0) ?? ''} |`);
}

export function fmtRate(n, unit) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M ${unit}/s` : `${(n / 1e3).toFixed(0)}k ${unit}/s`;
}

/** Make (once) the 1,000,000 flow records of ../shared/bench/gen_flows.js. */
export function flowsFile(n = 1_000_000) {
  const f = path.join(WORK, `flows-${n}.ndjson`);
  if (!existsSync(f)) spawnSync('bash', ['-c', `node ${SHARED}/bench/gen_flows.js ${n} > ${f}`], { stdio: 'inherit' });
  return f;
}
