// fir ingest of other tools' files, in records per second, against nfdump turning its own
// binary files into text (`nfdump -R DIR -o csv > /dev/null`). The nfdump and Argus inputs are
// made by nfpcapd and argus from the benchmark capture (../shared/bench/gen_pcap.py); the Zeek,
// Suricata and mapped-CSV inputs are the same flows written in those formats by this script.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { FIR, SHARED, WORK, fmtRate, have, measure, report } from './lib.mjs';

const dir = path.join(WORK, 'readers');
mkdirSync(dir, { recursive: true });
const pcap = path.join(WORK, 'big.pcap');
const sh = (cmd) => {
  const r = spawnSync('bash', ['-c', cmd], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(`failed: ${cmd}`);
};
/**
 * Best of n runs that succeeded (the tree may be rebuilt under a running benchmark), with the
 * CPU seconds (user + system) of the command too: on a shared, loaded machine they say more
 * than wall time.
 */
function bestOk(n, cmd, opts) {
  let b;
  const cpuFile = path.join(WORK, '.readers-cpu');
  for (let tries = 0, ok = 0; ok < n && tries < n + 3; tries++) {
    const r = measure(`/usr/bin/time -f '%U %S' -o ${cpuFile} ${cmd}`, opts);
    if (r.status !== 0 || String(r.stderr ?? '').trim() !== '') continue; // a failed run (its stderr says why)
    const last = readFileSync(cpuFile, 'utf8').trim().split('\n').pop();
    if (!/^[\d.]+ [\d.]+$/.test(last)) continue;
    const [u, sy] = last.split(' ').map(Number);
    r.cpu = u + sy;
    ok++;
    if (!b || r.secs < b.secs) b = r;
  }
  return b ?? { secs: NaN, rssMiB: NaN, cpu: NaN };
}
const lines = (f) => Number(spawnSync('bash', ['-c', `wc -l < ${JSON.stringify(f)}`], { encoding: 'utf8' }).stdout.trim());

if (!have('nfpcapd') || !have('nfdump')) {
  console.log('\n## readers: skipped (nfdump is not installed)');
} else {
  if (!existsSync(pcap)) sh(`python3 ${SHARED}/bench/gen_pcap.py -o ${pcap}`);
  const nfdir = path.join(dir, 'nfcapd');
  if (!existsSync(nfdir) || readdirSync(nfdir).length === 0) {
    mkdirSync(nfdir, { recursive: true });
    sh(`nfpcapd -r ${pcap} -w ${nfdir} -t 86400 -e 300,60 > /dev/null`);
  }
  const csv = path.join(dir, 'flows.nfdump.csv');
  const json = path.join(dir, 'flows.nfdump.json');
  if (!existsSync(csv)) sh(`nfdump -R ${nfdir} -o csv > ${csv}`);
  if (!existsSync(json)) sh(`nfdump -R ${nfdir} -o json > ${json}`);
  const argusCsv = path.join(dir, 'flows.argus.csv');
  if (have('argus') && have('ra') && !existsSync(argusCsv)) {
    const conf = path.join(dir, 'argus.conf');
    sh(`printf 'ARGUS_FLOW_TYPE="Bidirectional"\\nARGUS_FLOW_KEY="CLASSIC_5_TUPLE"\\nARGUS_GENERATE_MAC_DATA=yes\\nARGUS_FLOW_STATUS_INTERVAL=3600\\n' > ${conf}`);
    sh(`argus -F ${conf} -r ${pcap} -w ${dir}/capture.argus && ra -F /dev/null -r ${dir}/capture.argus -n -u -c , -s stime ltime dur proto saddr sport dir daddr dport spkts dpkts sbytes dbytes state smac dmac > ${argusCsv}`);
  }
  // the same flows as Zeek conn.log (TSV), Suricata eve.json and a CSV of another tool
  const conn = path.join(dir, 'conn.log');
  const eve = path.join(dir, 'eve.json');
  const other = path.join(dir, 'other.csv');
  if (!existsSync(conn) || !existsSync(eve) || !existsSync(other)) {
    const flows = path.join(dir, 'flows.ndjson');
    sh(`${FIR} ingest --biflow ${csv} > ${flows}`);
    const c = createWriteStream(conn);
    const e = createWriteStream(eve);
    const o = createWriteStream(other);
    c.write('#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n');
    o.write('StartTime,EndTime,Proto,Source,SPort,Destination,DPort,Packets,Bytes,RPackets,RBytes,Flags\n');
    let i = 0;
    for await (const line of readline.createInterface({ input: createReadStream(flows) })) {
      const f = JSON.parse(line);
      const ts = Date.parse(f.start) / 1000;
      const dur = (Date.parse(f.end) - Date.parse(f.start)) / 1000;
      const sp = f.sport ?? f.icmp_type ?? 0;
      const dp = f.dport ?? f.icmp_code ?? 0;
      const proto = f.proto === 'icmp6' ? 'icmp' : f.proto;
      c.write(`${ts.toFixed(6)}\tC${i.toString(36)}\t${f.src}\t${sp}\t${f.dst}\t${dp}\t${proto}\t-\t${dur.toFixed(6)}\t0\t0\t${f.state ?? 'OTH'}\tT\tF\t0\t${f.proto === 'tcp' ? 'ShADadFf' : 'Dd'}\t${f.pkts}\t${f.bytes}\t${f.rpkts ?? 0}\t${f.rbytes ?? 0}\t-\n`);
      e.write(JSON.stringify({ timestamp: f.end.replace('Z', '+0000'), flow_id: i, event_type: 'flow', src_ip: f.src, src_port: f.sport, dest_ip: f.dst, dest_port: f.dport, proto: f.proto.toUpperCase(), flow: { pkts_toserver: f.pkts, pkts_toclient: f.rpkts ?? 0, bytes_toserver: f.bytes, bytes_toclient: f.rbytes ?? 0, start: f.start.replace('Z', '+0000'), end: f.end.replace('Z', '+0000'), age: Math.round(dur), state: 'closed', reason: 'timeout', alerted: false }, tcp: f.proto === 'tcp' ? { tcp_flags: '1b', tcp_flags_ts: '1b', tcp_flags_tc: '1b' } : undefined }) + '\n');
      o.write(`${f.start.slice(0, 23).replace('T', ' ')},${f.end.slice(0, 23).replace('T', ' ')},${f.proto},${f.src},${f.sport ?? ''},${f.dst},${f.dport ?? ''},${f.pkts},${f.bytes},${f.rpkts ?? ''},${f.rbytes ?? ''},${f.flags ?? ''}\n`);
      i++;
    }
    await Promise.all([c, e, o].map((s) => new Promise((r) => s.end(r))));
  }

  // the inputs above hold 110k-221k records, so node's start-up weighs on their rates: each is
  // also repeated to 1M records or more (the same rows again; ids and origins follow the lines)
  const big = (file, times, { head = 0, tail = 0, wrap } = {}) => {
    const out = file.replace(/(\.[a-z]+)$/, `.x${times}$1`);
    if (existsSync(out)) return out;
    if (wrap) {
      // nfdump -o json: one array; its objects again, joined by commas
      const text = readFileSync(file, 'utf8').trim();
      const inner = text.slice(1, -1).trim();
      const o = createWriteStream(out);
      o.write('[');
      for (let k = 0; k < times; k++) o.write((k ? ',\n' : '') + inner);
      o.end(']\n');
      return new Promise((r) => o.on('finish', () => r(out)));
    }
    sh(`{ head -n ${head} ${file}; for i in $(seq ${times}); do tail -n +${head + 1} ${file}${tail ? ` | head -n -${tail}` : ''}; done; ${tail ? `tail -n ${tail} ${file}` : 'true'}; } > ${out}`);
    return out;
  };

  const nfFlows = lines(csv) - 4; // header, and the Summary block of three lines
  const peer = bestOk(2, `nfdump -R ${nfdir} -o csv`);
  const rows = [{ what: `nfdump -R DIR -o csv (${nfFlows} flows, its own binary files to text)`, secs: peer.secs, rate: `${fmtRate(nfFlows / peer.secs, 'flows')}; ${fmtRate(nfFlows / peer.cpu, 'flows')} per CPU s`, rssMiB: peer.rssMiB }];
  const map = "start=StartTime,end=EndTime,proto=Proto,src=Source,sport=SPort,dst=Destination,dport=DPort,pkts=Packets,bytes=Bytes,rpkts=RPackets,rbytes=RBytes,flags=Flags";
  const cases = [
    ['nfdump csv', csv, '', { head: 1, tail: 3 }, 5],
    ['nfdump json', json, '', { wrap: true }, 5],
    ['Argus ra csv', argusCsv, '', { head: 1 }, 10],
    ['Zeek conn.log', conn, '', { head: 7 }, 10],
    ['Suricata eve.json', eve, '', {}, 10],
    ['CSV with --map', other, `--map '${map}'`, { head: 1 }, 10],
  ];
  const out = path.join(dir, 'out.ndjson');
  // fir's fixed cost (node start, module loading, one record): the rest is the reader's per-record cost
  const one = path.join(dir, 'one.nfdump.csv');
  sh(`head -2 ${csv} > ${one}`);
  const start = bestOk(3, `${FIR} ingest ${one}`, { stdout: out });
  rows.push({ what: 'fir ingest of one record (start-up: node, modules)', secs: start.secs, rate: `${start.cpu.toFixed(2)} CPU s`, rssMiB: start.rssMiB });
  const row = (label, file, flags) => {
    const r = bestOk(2, `${FIR} ingest ${flags} ${file}`, { stdout: out });
    const n = lines(out);
    const mb = statSync(file).size / 1048576;
    const net = r.cpu - start.cpu;
    rows.push({ what: `fir ingest ${label} (${n} records, ${mb.toFixed(0)} MB)`, secs: r.secs, rate: `${fmtRate(n / r.secs, 'records')} (${((n / r.secs) / (nfFlows / peer.secs)).toFixed(2)}x nfdump); ${fmtRate(n / r.cpu, 'records')} per CPU s (${((n / r.cpu) / (nfFlows / peer.cpu)).toFixed(2)}x); ${net > 0 ? fmtRate(n / net, 'records') : '-'} per CPU s after start-up`, rssMiB: r.rssMiB });
  };
  for (const [name, file, flags, shape, times] of cases) {
    if (!existsSync(file)) continue;
    row(`: ${name}`, file, flags);
    const large = await big(file, times, shape);
    row(`: ${name} x${times}`, large, flags);
    row(`--threads 2: ${name} x${times}`, large, `--threads 2 ${flags}`);
  }
  report('fir ingest of other tools\' files vs nfdump -o csv (records/s; goal: 200k/s each)', rows);
}
