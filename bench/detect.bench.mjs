// fir detect on 1,000,000 flow records (../shared/bench/gen_flows.js), all methods and some, with
// two threads (the default for input this big on a machine with a core to spare) and one,
// against the floor (node reading the same lines and JSON.parse-ing each, no work) and a
// one-line jq pass over the same file (no detection tool reads this format, so jq is the peer an
// analyst would otherwise script with). Goal: >= 250,000 flows/s (wall) with all methods; CPU time (user + sys) is reported too,
// as two threads use more of it. The events of one and two threads are compared byte for byte.
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { flowsFile, fmtRate, FIR, have, WORK } from './lib.mjs';

/** wall and CPU seconds (GNU time) and peak RSS of one run */
function measure(cmd, stdout) {
  const timeFile = path.join(WORK, '.time-detect');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, 'bash', '-o', 'pipefail', '-c', `${cmd} < /dev/null > ${stdout}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const [secs, user, sys, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { secs, cpu: user + sys, rssMiB: kb / 1024, status: r.status, stderr: r.stderr };
}

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
  { what: 'fir detect --threads 2 (all methods)', cmd: `${FIR} detect --threads 2 ${flows}`, out: 'all' },
  { what: 'fir detect --threads 1 (all methods)', cmd: `${FIR} detect --threads 1 ${flows}`, out: 'all1' },
  { what: `fir detect --threads 2 --methods ${STORY} (the attack story)`, cmd: `${FIR} detect --threads 2 --methods ${STORY} ${flows}`, out: 'six' },
  { what: `fir detect --threads 1 --methods ${STORY}`, cmd: `${FIR} detect --threads 1 --methods ${STORY} ${flows}`, out: 'six1' },
  { what: 'fir detect --methods SCANS', cmd: `${FIR} detect --methods SCANS ${flows}` },
  { what: 'fir detect --methods SSHDICT,DICTATTACK', cmd: `${FIR} detect --methods SSHDICT,DICTATTACK ${flows}` },
  { what: 'floor: node, split + JSON.parse only', cmd: `node ${floor} ${flows}` },
];
const FLOOR = runs.length - 1;
if (have('jq')) runs.push({ what: `jq -c 'select(.flags=="S" and .rpkts==0)'`, cmd: `jq -c 'select(.flags=="S" and .rpkts==0)' ${flows}` });
else console.log('\n(jq is not installed: no peer to compare with)');

// two threads pay only on a core to spare: the default (no --threads) takes one on a busy machine
console.log(`\nload average at the start: ${loadavg()[0].toFixed(2)} on ${availableParallelism()} CPUs`);
// rounds over all the commands (best of 3 each, wall and CPU apart): the machine is shared
const got = runs.map(() => undefined);
for (let round = 0; round < 3; round++) {
  runs.forEach((r, i) => {
    const m = measure(r.cmd, path.join(WORK, `detect-${r.out ?? 'x'}.out`));
    // a failed run shows as words on stderr (status 3: an event at --fail-on, not used here)
    if ((m.status !== 0 && m.status !== 3) || m.stderr.trim() !== '') throw new Error(`${r.what} failed (${m.status}): ${m.stderr}`);
    const b = got[i];
    got[i] = b ? { secs: Math.min(b.secs, m.secs), cpu: Math.min(b.cpu, m.cpu), rssMiB: Math.max(b.rssMiB, m.rssMiB) } : m;
  });
}
console.log(`load average at the end: ${loadavg()[0].toFixed(2)}`);
console.log(`\n## detect: ${N.toLocaleString('en')} flows (best of 3 rounds)\n`);
console.log('| what | wall s | rate (wall) | CPU s | rate (CPU) | peak RSS MiB |');
console.log('|---|---|---|---|---|---|');
runs.forEach((r, i) => console.log(`| ${r.what} | ${got[i].secs.toFixed(2)} | ${fmtRate(N / got[i].secs, 'flows')} | ${got[i].cpu.toFixed(2)} | ${fmtRate(N / got[i].cpu, 'flows')} | ${got[i].rssMiB.toFixed(0)} |`));
for (const [a, b, name] of [['all', 'all1', 'all methods'], ['six', 'six1', 'the attack story']]) {
  const same = readFileSync(path.join(WORK, `detect-${a}.out`)).equals(readFileSync(path.join(WORK, `detect-${b}.out`)));
  console.log(`\nfir detect (${name}): one and two threads write ${same ? 'the same events, byte for byte' : 'DIFFERENT events'}`);
  if (!same) process.exitCode = 1;
}
for (const [i, name] of [[0, 'all methods'], [2, 'the attack story']]) {
  const m = got[i];
  console.log(`fir detect (${name}): ${fmtRate(N / m.secs, 'flows')} wall, ${fmtRate(N / m.cpu, 'flows')} per CPU second; goal >= 250k flows/s: ${N / m.secs >= 250_000 ? 'met' : 'NOT met'}; the JSON.parse floor is ${((got[FLOOR].secs / m.secs) * 100).toFixed(0)}% of its time`);
  if (have('jq')) console.log(`fir detect (${name}) / jq one-liner speed: ${(got[FLOOR + 1].secs / m.secs).toFixed(2)}x`);
}
