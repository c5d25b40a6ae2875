// Robustness: every capture of ../shared/corpus/zeek/traces (about 420 real captures, many of
// them odd or damaged) goes through `fir ingest` in one run: no crash, no hang, records that
// pass the contract's checker, and every file either gives flows or is named in a diagnostic.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRecords, fir, hasShared, records, SHARED } from './helpers.js';

const TRACES = path.join(SHARED, 'corpus', 'zeek', 'traces');

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

describe.skipIf(!hasShared)('the Zeek capture corpus', () => {
  it('goes through fir ingest without a crash or a hang', { timeout: 240_000 }, async () => {
    const files = walk(TRACES);
    expect(files.length).toBeGreaterThan(400);
    const t0 = Date.now();
    const r = await fir(['ingest', ...files]);
    const secs = (Date.now() - t0) / 1000;
    console.log(`corpus: ${files.length} captures, ${records(r.stdout).length} flows, ${r.stderr.split('\n').filter(Boolean).length} diagnostics, ${secs.toFixed(1)} s`);
    expect(r.stderr).not.toMatch(/internal error/);
    expect([0, 1]).toContain(r.exitCode);
    const flows = records(r.stdout);
    expect(flows.length).toBeGreaterThan(1000);
    const check = await checkRecords(r.stdout);
    expect(check.output).toMatch(/ 0 problems/);
    // every diagnostic has the contract's form and names one of the files
    for (const line of r.stderr.split('\n').filter(Boolean)) {
      expect(line).toMatch(/^fir ingest: \S.*: /);
      expect(files.some((f) => line.startsWith(`fir ingest: ${f}: `)), line).toBe(true);
    }
    // a file without flows is an empty capture, non-IP traffic, or said so on stderr
    const withFlows = new Set(flows.map((f) => f.origin));
    const silent = files.filter((f) => !withFlows.has(f) && !r.stderr.includes(`${f}: `));
    expect(silent.length).toBeLessThan(files.length / 10);
  });
});
