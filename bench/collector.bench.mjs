// The live collector, `fir ingest --listen`, against nfdump's nfcapd: both receive the same
// NetFlow v9 datagrams (softflowd's export of testdata/netflow/small.pcap, 30 flows each,
// replayed many times) from a small paced UDP sender on 127.0.0.1, at two rates. Reported:
// flows received (loss), CPU seconds of the receiver, and flows per CPU second.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIR, ROOT, WORK, fmtRate, have, report } from './lib.mjs';

// the flows a receiver got, from what it says when it stops

const { ExportCaptureWalker } = await import(`${ROOT}/dist/formats/netflow/pcap-export.js`);
const cap = readFileSync(path.join(ROOT, 'testdata', 'netflow', 'export-v9.pcap'));
const dgrams = [];
new ExportCaptureWalker(() => {}).feed(cap, 0, cap.length, dgrams);
const payloads = dgrams.map((d) => Buffer.from(d.payload));
const FLOWS_PER_ROUND = 300;
const ROUNDS = Number(process.env.FIR_BENCH_COLLECTOR_ROUNDS ?? 1000); // 10,000 datagrams, 300,000 flows

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const s = dgram.createSocket('udp4');
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

/** Send ROUNDS rounds of the datagrams to 127.0.0.1:port at `pps` datagrams a second. */
async function send(port, pps) {
  const sock = dgram.createSocket('udp4');
  const total = ROUNDS * payloads.length;
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * pps) + 1);
    while (sent < due) {
      sock.send(payloads[sent % payloads.length], port, '127.0.0.1');
      sent++;
    }
    await new Promise((r) => setImmediate(r));
  }
  await sleep(50);
  sock.close();
  return (performance.now() - t0) / 1000;
}

/** CPU seconds and peak RSS (MiB) of a running process, from /proc. */
function usage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]); // utime + stime
  const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu: ticks / 100, rssMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
}

/** Run a receiver, feed it, read its CPU time, stop it with SIGTERM; its flows. */
async function run(name, argv, flowsOf, pps) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', name === 'fir' ? 'ignore' : 'pipe', 'pipe'] });
  child.stdout?.on('data', (d) => (err += d));
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  await sleep(1500);
  const secs = await send(argv.port, pps);
  await sleep(2000); // let it drain its socket buffer
  const u = usage(child.pid);
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { name, flows: flowsOf(err), cpu: u.cpu, rssMiB: u.rssMiB, sendSecs: secs };
}

if (!have('nfcapd')) {
  console.log('\n## collector: skipped (nfcapd is not installed)');
} else {
  const rows = [];
  for (const pps of [1000, 5000, 20000]) {
    const expected = ROUNDS * FLOWS_PER_ROUND;
    const pf = await freePort();
    const firArgs = Object.assign([FIR, 'ingest', '--listen', `udp://127.0.0.1:${pf}`, '--stats-interval', '0'], { port: pf });
    const f = await run('fir', firArgs, (e) => Number(/(\d+) flows, \d+ errors\s*$/m.exec(e)?.[1] ?? 0), pps);
    const pn = await freePort();
    const dir = mkdtempSync(path.join(WORK, 'nfcapd-'));
    const nfArgs = Object.assign(['nfcapd', '-B', '8388608', '-b', '127.0.0.1', '-p', String(pn), '-w', dir, '-t', '86400'], { port: pn });
    const n = await run('nfcapd', nfArgs, (e) => Number(/Flows: (\d+)/.exec(e)?.[1] ?? 0), pps);
    spawnSync('rm', ['-rf', dir]);
    for (const r of [f, n]) {
      rows.push({
        what: `${r.name} at ${pps} datagrams/s (${fmtRate(pps * 30, 'flows')} offered): ${r.flows} of ${expected} flows (${((1 - r.flows / expected) * 100).toFixed(1)}% lost), ${r.cpu.toFixed(2)} CPU s`,
        secs: r.sendSecs,
        rate: `${fmtRate(r.flows / r.cpu, 'flows')}, ${fmtRate(r.flows / 30 / r.cpu, 'datagrams')} (per CPU second)`,
        rssMiB: r.rssMiB,
      });
    }
  }
  report('collector: fir ingest --listen vs nfcapd, the same NetFlow v9 datagrams on 127.0.0.1', rows);
}
