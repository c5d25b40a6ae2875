// fir export --format csv|cef of 1,000,000 flow records, against jq writing the same columns
// (jq's @csv for CSV; a jq string template for CEF, which does no CEF escaping, so it is a
// lower bound of the work), timed in one run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { best, flowsFile, fmtRate, FIR, have, measure, report, WORK } from './lib.mjs';

const N = Number(process.env.FIR_BENCH_EXPORT_N ?? 1_000_000);
const flows = flowsFile(N);
const out = (name) => path.join(WORK, `export-${name}.out`);
const lines = (f) => {
  const t = readFileSync(f);
  let n = 0;
  for (let i = t.indexOf(10); i >= 0; i = t.indexOf(10, i + 1)) n++;
  return n;
};

const JQ_CSV = `jq -r '[.kind,.start,.end,.proto,.src,.sport,.dst,.dport,.pkts,.bytes,.rpkts,.rbytes,.flags,.rflags,.smac,.dmac,.origin] | @csv'`;
const JQ_CEF = `jq -r '"CEF:0|fir|fir|0.1.0|flow|Network flow|1|start=\\(.start|sub("\\\\.[0-9]+Z";"Z")|fromdate*1000) src=\\(.src) spt=\\(.sport) smac=\\(.smac) dst=\\(.dst) dpt=\\(.dport) dmac=\\(.dmac) proto=\\(.proto|ascii_upcase) out=\\(.bytes) in=\\(.rbytes) cn1=\\(.pkts) cn1Label=pkts cs1=\\(.flags) cs1Label=flags"'`;

const runs = [
  { what: 'fir export --format csv', name: 'fir-csv', cmd: `${FIR} export --format csv ${flows}`, records: (n) => n - 1 },
  { what: 'fir export --format cef', name: 'fir-cef', cmd: `${FIR} export --format cef ${flows}`, records: (n) => n },
];
if (have('jq')) {
  runs.push({ what: 'jq @csv (17 columns)', name: 'jq-csv', cmd: `${JQ_CSV} ${flows}`, records: (n) => n });
  runs.push({ what: 'jq CEF template (no escaping)', name: 'jq-cef', cmd: `${JQ_CEF} ${flows}`, records: (n) => n });
} else console.log('\n(jq is not installed: no peer to compare with)');

const rows = [];
const got = {};
for (const r of runs) {
  const m = best(2, () => measure(r.cmd, { stdout: out(r.name) }));
  if (m.status !== 0) throw new Error(`${r.what} failed (${m.status}): ${m.stderr}`);
  const n = r.records(lines(out(r.name)));
  got[r.name] = { ...m, n };
  rows.push({ what: `${r.what}: ${n} records`, secs: m.secs, rate: fmtRate(N / m.secs, 'records'), rssMiB: m.rssMiB });
}
report(`export: ${N.toLocaleString('en')} flows`, rows);
for (const f of ['csv', 'cef']) {
  const a = got[`fir-${f}`];
  const b = got[`jq-${f}`];
  if (a && b) console.log(`fir / jq speed, ${f}: ${(b.secs / a.secs).toFixed(2)}x (${a.n === b.n ? 'same record count' : `record counts differ: ${a.n} vs ${b.n}`})`);
}
