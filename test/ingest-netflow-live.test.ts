// Real peers on 127.0.0.1: softflowd replays a capture as NetFlow v5, v9 and IPFIX to nfdump's
// nfcapd, which repeats every datagram (-R) to `fir ingest --listen`, so both decode the very
// same packets; nfpcapd and Argus make their flows from the same capture, and fir's flows from
// their files are compared with fir's flows from the capture. Skipped where the tools are
// missing (CI installs softflowd, nfdump, argus-server and argus-client).
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TESTDATA, checkRecords, fir, hasShared, records } from './helpers.js';
import { collector, freeUdpPort, have, softflowdReplay, sum, until } from './ingest-netflow-helpers.js';

const CAPTURE = path.join(TESTDATA, 'netflow', 'small.pcap');
const peers = have('softflowd', 'softflowctl', 'nfcapd', 'nfdump');
const tmp = () => mkdtempSync(path.join(tmpdir(), 'fir-live-'));

/** nfdump's csv of a folder of nfcapd files: one "src sport dst dport proto pkts bytes" key per flow, and start seconds. */
async function nfdumpFlows(dir: string): Promise<{ key: string; startS: number }[]> {
  const r = await execa('nfdump', ['-R', dir, '-q', '-o', 'csv'], { env: { TZ: 'UTC' } });
  return String(r.stdout)
    .split('\n')
    .filter((l) => /^\d{4}-/.test(l))
    .map((l) => {
      const f = l.split(',');
      return { key: `${f[3]} ${f[5]} ${f[4]} ${f[6]} ${f[7].toLowerCase()} ${f[11]} ${f[12]}`, startS: Date.parse(f[0].replace(' ', 'T') + 'Z') / 1000 };
    });
}

function firKey(r: Record<string, any>): string {
  const icmp = r.proto === 'icmp' || r.proto === 'icmp6';
  return `${r.src} ${icmp ? 0 : r.sport ?? 0} ${r.dst} ${icmp ? (r.icmp_type << 8) | r.icmp_code : r.dport ?? 0} ${r.proto} ${r.pkts} ${r.bytes}`;
}

const sorted = (a: string[]) => [...a].sort();

/** Replay CAPTURE as version v through nfcapd (repeating to fir); the flows of both. */
async function replay(capture: string, v: 5 | 9 | 10, firArgs: string[] = []) {
  const dir = tmp();
  const c = await collector('udp://127.0.0.1:0', ['--stats-interval', '0', ...firArgs]);
  const port = await freeUdpPort();
  const nfcapd = execa('nfcapd', ['-B', '4194304', '-b', '127.0.0.1', '-p', String(port), '-R', `127.0.0.1/${c.port}`, '-w', dir, '-t', '86400'], { reject: false, timeout: 180_000 });
  await new Promise((r) => setTimeout(r, 1500));
  await softflowdReplay(capture, port, v);
  // wait until fir's output stops growing
  let last = -1;
  await until(() => {
    const n = c.stdout().length;
    const quiet = n === last;
    last = n;
    return quiet && n > 0;
  }, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  c.proc.kill('SIGTERM');
  nfcapd.kill('SIGTERM');
  const res = await c.proc;
  await nfcapd;
  return { fir: records(c.stdout()), nfdump: await nfdumpFlows(dir), stderr: c.stderr(), exitCode: res.exitCode };
}

describe.skipIf(!peers)('softflowd -> nfcapd -R -> fir ingest --listen', () => {
  for (const v of [5, 9, 10] as const) {
    it(`NetFlow ${v === 10 ? 'IPFIX' : 'v' + v}: fir decodes exactly the flows, packets and bytes nfcapd decodes`, async () => {
      const r = await replay(CAPTURE, v);
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toMatch(/exporter 127\.0\.0\.1: \d+ packets, \d+ flows, 0 errors/);
      expect(r.fir.length).toBe(v === 5 ? 288 : 300);
      expect(sorted(r.fir.map(firKey))).toEqual(sorted(r.nfdump.map((f) => f.key)));
      if (v !== 10) {
        // start times: nfdump's csv has whole seconds
        const firStarts = sorted(r.fir.map((f) => String(Math.floor(Date.parse(f.start) / 1000))));
        const nfStarts = sorted(r.nfdump.map((f) => String(Math.floor(f.startS))));
        expect(firStarts).toEqual(nfStarts);
      } else {
        // nfcapd 1.7.1 gives softflowd's IPFIX records (flowStartSysUpTime + systemInitTime) their
        // end as start; the truth is softflowd's own absolute-time export (-A milli) of the capture
        const abs = records((await fir(['ingest', '--format', 'netflow', path.join(TESTDATA, 'netflow', 'export-ipfix-ms.pcap')])).stdout);
        const ms = (rs: Record<string, any>[]) => rs.map((f) => Date.parse(f.start)).sort((x, y) => x - y);
        const a = ms(r.fir);
        const b = ms(abs);
        expect(a.length).toBe(b.length);
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1);
      }
      if (hasShared) expect((await checkRecords(r.fir.map((x) => JSON.stringify(x)).join('\n') + '\n')).output).toMatch(/ 0 problems/);
    }, 120_000);
  }
});

describe.skipIf(!have('nfpcapd', 'nfdump', 'argus', 'ra'))('nfpcapd and Argus flows of a capture against fir\'s flows of it', () => {
  it('nfdump (nfpcapd -> -o csv / -o json): the same IPv4 TCP/UDP flows and packets; totals within 2%', async () => {
    const dir = tmp();
    await execa('nfpcapd', ['-r', CAPTURE, '-w', dir, '-t', '86400', '-e', '300,60'], { timeout: 120_000 });
    const out = tmp(); // not in the nfcapd folder, which nfdump -R reads whole
    const csv = path.join(out, 'flows.csv');
    const json = path.join(out, 'flows.json');
    writeFileSync(csv, String((await execa('nfdump', ['-R', dir, '-o', 'csv'], { env: { TZ: 'UTC' } })).stdout));
    writeFileSync(json, String((await execa('nfdump', ['-R', dir, '-o', 'json'], { env: { TZ: 'UTC' } })).stdout));
    const cap = records((await fir(['ingest', CAPTURE])).stdout);
    for (const file of [csv, json]) {
      const r = await fir(['ingest', '--biflow', file]);
      expect(r.exitCode, r.stderr).toBe(0);
      const nf = records(r.stdout);
      const v4 = (x: Record<string, any>) => !x.src.includes(':') && (x.proto === 'tcp' || x.proto === 'udp');
      const per = (rs: Record<string, any>[]) => {
        const m = new Map<string, number>();
        for (const x of rs.filter(v4)) m.set(x.community_id, (m.get(x.community_id) ?? 0) + x.pkts + (x.rpkts ?? 0));
        return m;
      };
      expect(per(nf)).toEqual(per(cap));
      // nfpcapd loses the first packets of the IPv6 TCP flows of this capture and splits ICMP
      // echo exchanges per sequence number: the totals differ by that, less than 2%
      const a = sum(nf);
      const b = sum(cap);
      expect(Math.abs(a.pkts - b.pkts) / b.pkts).toBeLessThan(0.02);
      expect(Math.abs(a.bytes - b.bytes) / b.bytes).toBeLessThan(0.02);
    }
  }, 120_000);

  it('Argus (argus -r -> ra -c ,): the same TCP/UDP flows and all packets; bytes differ only by Ethernet padding', async () => {
    const dir = tmp();
    const conf = path.join(dir, 'argus.conf');
    // a long status interval so that Argus writes one record per flow, as the flow meter does
    writeFileSync(conf, 'ARGUS_FLOW_TYPE="Bidirectional"\nARGUS_FLOW_KEY="CLASSIC_5_TUPLE"\nARGUS_GENERATE_MAC_DATA=yes\nARGUS_FLOW_STATUS_INTERVAL=3600\n');
    const af = path.join(dir, 'capture.argus');
    await execa('argus', ['-F', conf, '-r', CAPTURE, '-w', af], { timeout: 120_000 });
    const csv = path.join(dir, 'argus.csv');
    writeFileSync(csv, String((await execa('ra', ['-F', '/dev/null', '-r', af, '-n', '-u', '-c', ',', '-s', 'stime', 'ltime', 'dur', 'proto', 'saddr', 'sport', 'dir', 'daddr', 'dport', 'spkts', 'dpkts', 'sbytes', 'dbytes', 'state', 'smac', 'dmac'])).stdout) + '\n');
    const r = await fir(['ingest', csv]);
    expect(r.exitCode, r.stderr).toBe(0);
    const ar = records(r.stdout);
    const cap = records((await fir(['ingest', CAPTURE])).stdout);
    const count = (rs: Record<string, any>[], p: string) => rs.filter((x) => x.proto === p).length;
    expect(count(ar, 'tcp')).toBe(count(cap, 'tcp'));
    expect(count(ar, 'udp')).toBe(count(cap, 'udp'));
    expect(sum(ar).pkts).toBe(sum(cap).pkts);
    // Argus counts frame bytes; less 14 a packet it still includes the padding of short frames
    expect(sum(ar).bytes - sum(cap).bytes).toBeGreaterThanOrEqual(0);
    expect(sum(ar).bytes - sum(cap).bytes).toBeLessThanOrEqual(18 * sum(cap).pkts);
  }, 120_000);
});

const LABS = ['seed-story', 'ipv6'].map((v) => path.join(TESTDATA, 'lab', v)).filter((d) => existsSync(path.join(d, 'capture.pcap')));

describe.skipIf(!have('softflowd', 'softflowctl') || LABS.length === 0)('detection on softflowd\'s export of a lab capture', () => {
  for (const lab of LABS) {
    it(`${path.basename(lab)}: finds the port scan and the SSH password guessing, as from the capture itself`, async () => {
      const detectKnown = (await fir(['detect', '--help'])).exitCode === 0;
      if (!detectKnown) return; // fir detect is not there yet
      const capture = path.join(lab, 'capture.pcap');
      const truth = JSON.parse(readFileSync(path.join(lab, 'ground_truth.json'), 'utf8'));
      const attacker = new Set([truth.attacker.ip, truth.attacker.ipv6].filter(Boolean));
      const c = await collector('udp://127.0.0.1:0', ['--stats-interval', '0', '--biflow']);
      await softflowdReplay(capture, c.port, 10);
      // softflowd has sent everything when it exits; the collector reads what is left in its
      // socket buffer on SIGTERM before it closes (a loaded machine may lag behind the burst)
      let last = -1;
      let quietPolls = 0;
      await until(() => {
        const n = c.stdout().length;
        quietPolls = n === last ? quietPolls + 1 : 0;
        last = n;
        return quietPolls >= 10 && n > 0;
      }, 30_000);
      c.proc.kill('SIGTERM');
      expect((await c.proc).exitCode).toBe(0);
      const flows = c.stdout();
      expect(c.stderr()).toMatch(/, 0 errors/);
      const exported = Number(/exporter 127\.0\.0\.1: \d+ packets, (\d+) flows/.exec(c.stderr())?.[1]);
      expect(exported, c.stderr()).toBeGreaterThan(5000);
      const fromExport = records((await fir(['detect'], { input: flows })).stdout);
      const cap = await execa('bash', ['-o', 'pipefail', '-c', `bin/fir ingest ${capture} | bin/fir detect`], { reject: false });
      expect(cap.exitCode, String(cap.stderr)).toBe(0);
      const fromCapture = records(String(cap.stdout));
      const found = (evs: Record<string, any>[], m: string) => evs.some((e) => e.method === m && attacker.has(e.src));
      const said = (evs: Record<string, any>[]) => evs.map((e) => `${e.method}/${e.submethod} ${e.src}`).join(', ');
      for (const m of ['SCANS', 'SSHDICT']) {
        expect(found(fromCapture, m), `capture: ${said(fromCapture)}`).toBe(true);
        expect(found(fromExport, m), `export: ${said(fromExport)}`).toBe(true);
      }
    }, 180_000);
  }
});
