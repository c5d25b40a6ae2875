// fir export --format html and --format evidence (--all-flows) of the events fir detect finds
// in 200,000 flows given with --flows, and --verify of that folder, against the floor of
// archiving the same bytes: cp of the flow file and sha256sum of the copy (what an evidence
// folder must at least do). Both writers hold their input; the peak RSS shows what that costs.
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { best, flowsFile, fmtRate, FIR, measure, report, WORK } from './lib.mjs';

const N = Number(process.env.FIR_BENCH_REPORT_N ?? 200_000);
const flows = flowsFile(N);
const events = path.join(WORK, `report-events-${N}.ndjson`);
const det = measure(`${FIR} detect ${flows}`, { stdout: events });
if (det.status !== 0) throw new Error(`fir detect failed: ${det.stderr}`);
const folder = path.join(WORK, 'report-evidence');
const copy = path.join(WORK, 'report-copy.ndjson');

const runs = [
  { what: `fir export --format html --flows (${N} flows)`, cmd: `${FIR} export --format html --flows ${flows} ${events}` },
  { what: `fir export --format evidence --all-flows (${N} flows)`, cmd: `rm -rf ${folder}; ${FIR} export --format evidence --all-flows --flows ${flows} --out ${folder} ${events}` },
  { what: 'fir export --verify of that folder', cmd: `${FIR} export --verify ${folder}` },
  { what: 'peer floor: cp + sha256sum of the flow file', cmd: `cp ${flows} ${copy} && sha256sum ${copy}` },
];
const rows = [];
const got = [];
for (const r of runs) {
  const m = best(2, () => measure(r.cmd));
  if (m.status !== 0) throw new Error(`${r.what} failed (${m.status}): ${m.stderr}`);
  got.push(m);
  rows.push({ what: r.what, secs: m.secs, rate: fmtRate(N / m.secs, 'flows'), rssMiB: m.rssMiB });
}
report(`export html/evidence: ${N.toLocaleString('en')} flows (${(statSync(flows).size / 1048576).toFixed(0)} MiB)`, rows);
console.log(`evidence / (cp + sha256sum): ${(got[1].secs / got[3].secs).toFixed(1)}x the time of the floor; verify / floor: ${(got[2].secs / got[3].secs).toFixed(1)}x`);
rmSync(folder, { recursive: true, force: true });
rmSync(copy, { force: true });
