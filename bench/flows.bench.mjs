// fir flows --by src --top 10 on 1,000,000 flow records, against jq (group_by) and nfdump -s srcip
// on the same flows in nfdump's own format. nfdump cannot import CSV or JSON, so the flows are
// exported as NetFlow v9 (one record per flow, originator → responder, IPv4 and IPv6
// templates) over UDP on 127.0.0.1 to nfcapd, which writes its binary file; made once and kept.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { FIR, WORK, best, flowsFile, fmtRate, have, measure, report } from './lib.mjs';

const PROTO = { tcp: 6, udp: 17, icmp: 1, icmp6: 58 };
const N = Number(process.env.FIR_BENCH_FLOWS ?? 1_000_000);
const RUNS = Number(process.env.FIR_BENCH_RUNS ?? 3);
const file = flowsFile(N);
const rows = [];
const out = (name) => path.join(WORK, `flows-bench-${name}.out`);

const firCmd = `${FIR} flows --by src --top 10 --format ndjson ${file}`;
const fir = best(RUNS, () => measure(firCmd, { stdout: out('fir') }));
rows.push({ what: 'fir flows --by src --top 10', secs: fir.secs, rate: fmtRate(N / fir.secs, 'flows'), rssMiB: fir.rssMiB });
const firTop = readFileSync(out('fir'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.key, r.flows]);

/** The top 10 as [key, flows], compared on counts and on the keys above the 10th count (ties may order differently). */
function sameTop(a, b) {
  if (a.length !== b.length) return false;
  if (a.some((x, i) => x[1] !== b[i][1])) return false;
  const cut = a[a.length - 1][1];
  const above = (l) => l.filter((x) => x[1] > cut).map((x) => x[0]).sort().join(',');
  return above(a) === above(b);
}

const notes = [];
if (have('jq')) {
  const jqCmd = `jq -s 'group_by(.src)|map({src:.[0].src,flows:length})|sort_by(-.flows)|.[:10]' ${file}`;
  const jq = best(Math.min(RUNS, 2), () => measure(jqCmd, { stdout: out('jq') }));
  rows.push({ what: "jq -s 'group_by(.src)|…|.[:10]'", secs: jq.secs, rate: fmtRate(N / jq.secs, 'flows'), rssMiB: jq.rssMiB });
  let same = false;
  try {
    same = sameTop(firTop, JSON.parse(readFileSync(out('jq'), 'utf8')).map((r) => [r.src, r.flows]));
  } catch {
    same = false;
  }
  notes.push(`jq: ${(jq.secs / fir.secs).toFixed(1)}× fir's time, ${(jq.rssMiB / fir.rssMiB).toFixed(1)}× its peak RSS; same top 10: ${same ? 'yes' : 'NO'}`);
} else notes.push('jq: not installed, not compared');

if (have('nfcapd') && have('nfdump')) {
  const nf = await nfcapdFile(file);
  if (nf) {
    const nfCmd = `nfdump -r ${nf} -q -n 10 -s srcip/flows -o csv`;
    const r = best(RUNS, () => measure(nfCmd, { stdout: out('nfdump') }));
    rows.push({ what: 'nfdump -s srcip/flows -n 10 (binary nfcapd file)', secs: r.secs, rate: fmtRate(N / r.secs, 'flows'), rssMiB: r.rssMiB });
    const text = readFileSync(out('nfdump'), 'utf8');
    const top = nfdumpTop(text);
    notes.push(`nfdump: ${(r.secs / fir.secs).toFixed(2)}× fir's time (fir/nfdump ${(fir.secs / r.secs).toFixed(1)}), ${(r.rssMiB / fir.rssMiB).toFixed(2)}× its peak RSS; same top 10: ${sameTop(firTop, top) ? 'yes' : 'NO'}`);
  } else notes.push('nfdump: the nfcapd file could not be made (see above), not compared');
} else notes.push('nfdump/nfcapd: not installed, not compared');

report(`flows: --by src --top 10 on ${N.toLocaleString('en')} flows`, rows);
console.log('');
for (const n of notes) console.log(`- ${n}`);

/** Parse `nfdump -s srcip -o csv` output into [ip, flows] (the columns are named in its header). */
function nfdumpTop(text) {
  const lines = text.split('\n').filter((l) => l.trim());
  const headAt = lines.findIndex((l) => /(^|,)val(,|$)/.test(l));
  if (headAt < 0) return [];
  const head = lines[headAt].split(',');
  const iv = head.indexOf('val');
  const fl = head.indexOf('fl');
  return lines
    .slice(headAt + 1)
    .map((l) => l.split(','))
    .filter((c) => c.length === head.length)
    .map((c) => [c[iv], Number(c[fl])]);
}

/**
 * Make (once) the nfcapd file of the flows: NetFlow v9 over UDP to an nfcapd on 127.0.0.1.
 * Each flow becomes one record (src → dst, its pkts and bytes), so flow counts per source match.
 */
async function nfcapdFile(src) {
  const dir = path.join(WORK, `nfcapd-${path.basename(src, '.ndjson')}`);
  const done = path.join(dir, 'flows.nfcapd');
  if (existsSync(done)) return done;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = 20000 + (process.pid % 20000);
  const nfcapd = spawn('nfcapd', ['-w', dir, '-p', String(port), '-b', '127.0.0.1', '-B', String(64 << 20), '-t', '86400'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  nfcapd.stderr.on('data', (d) => (err += d));
  await sleep(1000);
  const sock = createSocket('udp4');
  sock.on('error', () => {});
  let sent = 0;
  let pending = [];
  let seq = 0;
  const base = Date.UTC(2026, 10, 27, 9, 0, 0);
  const bootMs = base - 3_600_000; // sysUptime counts from an hour before the flows
  const flush = async () => {
    if (!pending.length) return;
    const v4 = pending.filter((p) => p.v === 4);
    const v6 = pending.filter((p) => p.v === 6);
    pending = [];
    for (const [list, tid] of [[v4, 256], [v6, 257]]) {
      if (!list.length) continue;
      const pkt = v9Packet(list, tid, seq++, bootMs);
      await new Promise((res) => sock.send(pkt, port, '127.0.0.1', () => res()));
      sent++;
      if (sent % 64 === 0) await sleep(2); // nfcapd drops what it cannot read in time
    }
  };
  const rl = createInterface({ input: createReadStream(src), crlfDelay: Infinity });
  let count = 0;
  process.once('exit', () => nfcapd.exitCode === null && nfcapd.kill('SIGTERM'));
  for await (const line of rl) {
    if (!line) continue;
    const f = JSON.parse(line);
    const v = f.src.includes(':') ? 6 : 4;
    pending.push({ v, f });
    count++;
    if (pending.length >= 40) await flush();
  }
  await flush();
  await sleep(1500);
  sock.close();
  nfcapd.kill('SIGTERM');
  await new Promise((res) => nfcapd.once('exit', res));
  const made = readdirSync(dir).filter((f) => f.startsWith('nfcapd.') && !f.includes('current'));
  if (made.length !== 1) {
    console.log(`nfcapd wrote ${made.length} files: ${err.trim().slice(0, 300)}`);
    return undefined;
  }
  renameSync(path.join(dir, made[0]), done);
  // a dropped datagram would make the comparison unfair: check that every flow arrived
  const total = spawnSync('nfdump', ['-r', done, '-q', '-o', 'csv', '-s', 'proto/flows'], { encoding: 'utf8' });
  const got = nfdumpTop(total.stdout).reduce((a, x) => a + x[1], 0);
  writeFileSync(path.join(dir, 'README'), `NetFlow v9 export of ${src}: ${count} flows sent, ${got} in the nfcapd file\n`);
  if (got !== count) {
    console.log(`nfcapd kept ${got} of ${count} flows (UDP drops): comparison not made`);
    rmSync(done);
    return undefined;
  }
  return done;
}


/** One NetFlow v9 packet: a template flowset and a data flowset of the flows. */
function v9Packet(list, tid, seq, bootMs) {
  const v6 = tid === 257;
  // field type, length: src addr, dst addr, sport, dport, proto, pkts, bytes, first, last
  const fields = [[v6 ? 27 : 8, v6 ? 16 : 4], [v6 ? 28 : 12, v6 ? 16 : 4], [7, 2], [11, 2], [4, 1], [2, 4], [1, 4], [22, 4], [21, 4]];
  const recLen = fields.reduce((a, f) => a + f[1], 0);
  const tplLen = 4 + 4 + fields.length * 4;
  let dataLen = 4 + list.length * recLen;
  const pad = (4 - (dataLen % 4)) % 4;
  dataLen += pad;
  const buf = Buffer.alloc(20 + tplLen + dataLen);
  const last = Math.max(...list.map((p) => Date.parse(p.f.end)));
  const uptime = last + 1000 - bootMs;
  buf.writeUInt16BE(9, 0);
  buf.writeUInt16BE(1 + list.length, 2);
  buf.writeUInt32BE(uptime >>> 0, 4);
  buf.writeUInt32BE(Math.floor((bootMs + uptime) / 1000), 8);
  buf.writeUInt32BE(seq >>> 0, 12);
  buf.writeUInt32BE(1, 16);
  let o = 20;
  buf.writeUInt16BE(0, o);
  buf.writeUInt16BE(tplLen, o + 2);
  buf.writeUInt16BE(tid, o + 4);
  buf.writeUInt16BE(fields.length, o + 6);
  o += 8;
  for (const [t, l] of fields) {
    buf.writeUInt16BE(t, o);
    buf.writeUInt16BE(l, o + 2);
    o += 4;
  }
  buf.writeUInt16BE(tid, o);
  buf.writeUInt16BE(dataLen, o + 2);
  o += 4;
  for (const { f } of list) {
    const rec = o;
    o = writeAddr(buf, o, f.src, v6);
    o = writeAddr(buf, o, f.dst, v6);
    buf.writeUInt16BE(f.sport ?? 0, o);
    buf.writeUInt16BE(f.dport ?? 0, o + 2);
    buf.writeUInt8(PROTO[f.proto] ?? (Number(f.proto) || 0), o + 4);
    buf.writeUInt32BE(Math.min(f.pkts, 0xffffffff), o + 5);
    buf.writeUInt32BE(Math.min(f.bytes, 0xffffffff), o + 9);
    buf.writeUInt32BE((Date.parse(f.start) - bootMs) >>> 0, o + 13);
    buf.writeUInt32BE((Date.parse(f.end) - bootMs) >>> 0, o + 17);
    o = rec + recLen;
  }
  return buf;
}

function writeAddr(buf, o, ip, v6) {
  if (!v6) {
    for (const part of ip.split('.')) buf.writeUInt8(Number(part), o++);
    return o;
  }
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  for (const w of words) {
    buf.writeUInt16BE(parseInt(w, 16), o);
    o += 2;
  }
  return o;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
