// fir timeline on 100,000 events (made here, deterministic, out of time order): time order,
// grouped by actor, triage order and the story, against jq -s 'sort_by(.start, .end)'.
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIR, WORK, best, fmtRate, have, measure, report } from './lib.mjs';

const N = Number(process.env.FIR_BENCH_EVENTS ?? 100_000);
const RUNS = Number(process.env.FIR_BENCH_RUNS ?? 3);
const file = path.join(WORK, `events-${N}.ndjson`);
if (!existsSync(file)) await makeEvents(file, N);

const rows = [];
const run = (what, cmd, out) => {
  const r = best(RUNS, () => measure(cmd, { stdout: out ?? '/dev/null' }));
  rows.push({ what, secs: r.secs, rate: fmtRate(N / r.secs, 'events'), rssMiB: r.rssMiB });
  return r;
};
const firOut = path.join(WORK, 'timeline-bench-fir.out');
const fir = run('fir timeline (time order)', `${FIR} timeline --format ndjson ${file}`, firOut);
run('fir timeline --by src', `${FIR} timeline --by src --format ndjson ${file}`);
run('fir timeline --sort priority', `${FIR} timeline --sort priority --format ndjson ${file}`);
run('fir timeline --story', `${FIR} timeline --story --format ndjson ${file}`);
const notes = [];
if (have('jq')) {
  const jqOut = path.join(WORK, 'timeline-bench-jq.out');
  const jq = run("jq -c -s 'sort_by(.start, .end)|.[]'", `jq -c -s 'sort_by(.start, .end)|.[]' ${file}`, jqOut);
  // the same order: compare the ids line by line
  const ids = (f) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id).join('\n');
  notes.push(`jq: ${(jq.secs / fir.secs).toFixed(1)}× fir's time, ${(jq.rssMiB / fir.rssMiB).toFixed(1)}× its peak RSS; same order: ${ids(firOut) === ids(jqOut) ? 'yes' : 'NO'}`);
} else notes.push('jq: not installed, not compared');
notes.push(`fir holds each event as its raw line and sort keys: ${(fir.rssMiB * 1024 * 1024 / N).toFixed(0)} bytes of peak RSS per event (input ${(readFileSync(file).length / N).toFixed(0)} bytes per line)`);
report(`timeline on ${N.toLocaleString('en')} events`, rows);
console.log('');
for (const n of notes) console.log(`- ${n}`);

/** Events like fir detect's: 2,000 actors, every method, times over a day, written out of order. */
async function makeEvents(f, n) {
  let s = 42;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  const methods = [['SCANS', 'TCPSYN', 'high'], ['SCANS', 'ARP', 'medium'], ['SSHDICT', 'ATTEMPT', 'high'], ['SSHDICT', 'SUCCESS', 'critical'], ['DNSANOMALY', 'FORBIDDENSERVER', 'high'], ['DHCPANOM', 'FAKESERVER', 'critical'], ['HIGHTRANSF', 'UPLOAD', 'high'], ['BEACON', 'PERIODIC', 'medium'], ['ICMPANOM', 'ICMPSCAN', 'low'], ['ALIENDEV', 'NEWDEVICE', 'info'], ['DOS', 'SYNFLOOD', 'high']];
  const base = Date.UTC(2026, 10, 27, 0, 0, 0);
  const out = createWriteStream(f);
  for (let i = 0; i < n; i++) {
    const [method, submethod, priority] = methods[Math.floor(rnd() * methods.length)];
    const a = Math.floor(rnd() * 2000);
    const src = `10.${(a >> 8) & 255}.${a & 255}.${1 + Math.floor(rnd() * 250)}`;
    const t0 = base + Math.floor(rnd() * 86_400_000);
    const t1 = t0 + Math.floor(rnd() * 600_000);
    const tgt = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, j) => `192.168.${j}.${1 + Math.floor(rnd() * 250)}`);
    const rec = {
      kind: 'event', id: `e${i.toString(36)}`, start: new Date(t0).toISOString(), end: new Date(t1).toISOString(), method, submethod,
      title: `${method} ${submethod}`, priority, src, targets: tgt, ports: [22], proto: 'tcp',
      detail: `${src} did ${method}/${submethod} against ${tgt.join(', ')} with ${Math.floor(rnd() * 1000)} flows`,
      evidence: { flows: [`f${i}`, `f${i + 1}`], attempts: Math.floor(rnd() * 100) },
    };
    if (!out.write(JSON.stringify(rec) + '\n')) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}
