// fir detect on 1,000,000 flow records (../shared/bench/gen_flows.js), all methods and one at a
// time, against the floor (node reading the same lines and JSON.parse-ing each, no work) and
// a one-line jq pass over the same file (no detection tool reads this format, so jq is the peer
// an analyst would otherwise script with). Goal: >= 250,000 flows/s with peak RSS in MiB.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { best, flowsFile, fmtRate, FIR, have, measure, report, WORK } from './lib.mjs';

const N = 1_000_000;
const flows = flowsFile(N);
const floor = path.join(WORK, 'detect-floor.mjs');
writeFileSync(
  floor,
  `import { createReadStream } from 'node:fs';
let rest = '', n = 0;
for await (const chunk of createReadStream(process.argv[2], { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const t = rest + chunk; let from = 0;
  for (let nl = t.indexOf('\\n'); nl >= 0; nl = t.indexOf('\\n', from)) { if (JSON.parse(t.slice(from, nl)).kind === 'flow') n++; from = nl + 1; }
  rest = t.slice(from);
}
console.log(n);
`,
);

const STORY = 'DHCPANOM,DNSANOMALY,SCANS,ICMPANOM,SSHDICT,DICTATTACK';
const runs = [
  { what: 'fir detect (all methods)', cmd: `${FIR} detect ${flows}` },
  { what: `fir detect --methods ${STORY} (the attack story)`, cmd: `${FIR} detect --methods ${STORY} ${flows}` },
  { what: 'fir detect --methods SCANS', cmd: `${FIR} detect --methods SCANS ${flows}` },
  { what: 'fir detect --methods SSHDICT,DICTATTACK', cmd: `${FIR} detect --methods SSHDICT,DICTATTACK ${flows}` },
  { what: 'floor: node, split + JSON.parse only', cmd: `node ${floor} ${flows}` },
];
const FLOOR = runs.length - 1;
if (have('jq')) runs.push({ what: `jq -c 'select(.flags=="S" and .rpkts==0)'`, cmd: `jq -c 'select(.flags=="S" and .rpkts==0)' ${flows}` });
else console.log('\n(jq is not installed: no peer to compare with)');

const rows = [];
const got = [];
for (const r of runs) {
  const m = best(3, () => measure(r.cmd, { stdout: path.join(WORK, 'detect.out') }));
  // measure() reports the status of its wrapper, so a failed run shows as words on stderr
  if ((m.status !== 0 && m.status !== 3) || m.stderr.trim() !== '') throw new Error(`${r.what} failed (${m.status}): ${m.stderr}`);
  got.push(m);
  rows.push({ what: r.what, secs: m.secs, rate: fmtRate(N / m.secs, 'flows'), rssMiB: m.rssMiB });
}
report(`detect: ${N.toLocaleString('en')} flows`, rows);
for (const [i, name] of [[0, 'all methods'], [1, 'the attack story']]) {
  const m = got[i];
  console.log(`\nfir detect (${name}): ${fmtRate(N / m.secs, 'flows')}, goal >= 250k flows/s: ${N / m.secs >= 250_000 ? 'met' : 'NOT met'}; the JSON.parse floor is ${((got[FLOOR].secs / m.secs) * 100).toFixed(0)}% of its time`);
  if (have('jq')) console.log(`fir detect (${name}) / jq one-liner speed: ${(got[FLOOR + 1].secs / m.secs).toFixed(2)}x`);
}
