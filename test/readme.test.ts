// The README's opening pipelines, run as written on the capture shipped in testdata/: the
// analyst's story end to end (ingest, detect, enrich, timeline, filter, flows).
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, checkRecords, hasShared, records } from './helpers.js';

const CAPTURE = path.join(ROOT, 'testdata', 'lab', 'seed-story', 'capture.pcap');
const dir = mkdtempSync(path.join(tmpdir(), 'fir-readme-'));
const sh = (line: string) =>
  execa('bash', ['-o', 'pipefail', '-c', line], { cwd: dir, reject: false, env: { PATH: `${path.join(ROOT, 'bin')}:${process.env.PATH}`, NO_COLOR: '1' } });

describe('the README pipelines on the seed-story capture', () => {
  beforeAll(async () => {
    const r = await sh(`fir ingest ${CAPTURE} > flows.ndjson`);
    expect(r.exitCode, r.stderr).toBe(0);
  }, 120_000);

  it('fir detect < flows.ndjson | fir enrich --flows flows.ndjson | fir timeline', async () => {
    const r = await sh('fir detect < flows.ndjson | fir enrich --flows flows.ndjson | fir timeline');
    expect(r.exitCode, r.stderr).toBe(0);
    const ev = records(r.stdout);
    // in time order, as the timeline writes them
    expect(ev.map((e) => e.start)).toEqual([...ev.map((e) => e.start)].sort());
    const steps = ev.filter((e) => e.src === '192.168.1.100' || e.targets.includes('192.168.1.100')).map((e) => `${e.method}/${e.submethod}`);
    for (const step of ['DHCPANOM/FAKESERVER', 'DNSANOMALY/UNUSUALSERVER', 'SCANS/ARP', 'SCANS/TCPSYN', 'SSHDICT/SUCCESS']) expect(steps).toContain(step);
    const ssh = ev.find((e) => e.method === 'SSHDICT')!;
    expect(ssh).toMatchObject({ priority: 'critical', src: '192.168.1.100', targets: ['192.168.1.225'] });
    expect(ssh.src_mac).toBe('00:0c:29:4f:8e:35');
    // benign hosts and the gateway are the source of nothing above info
    for (const e of ev) if (['192.168.1.1', '192.168.1.10', '192.168.1.11', '192.168.1.20'].includes(e.src)) expect(e.priority).toBe('info');
    if (hasShared) {
      const c = await checkRecords(r.stdout);
      expect(c.ok, c.output).toBe(true);
    }
  }, 120_000);

  it("fir filter 'host 192.168.1.100' < flows.ndjson | fir flows --by dst", async () => {
    const r = await sh("fir filter 'host 192.168.1.100' < flows.ndjson | fir flows --by dst");
    expect(r.exitCode, r.stderr).toBe(0);
    const sums = records(r.stdout);
    expect(sums.every((s) => s.kind === 'summary' && s.by === 'dst')).toBe(true);
    const byKey = new Map(sums.map((s) => [s.key, s]));
    // the gateway and the victim were port-scanned: the most flows
    expect(sums[0]!.key).toBe('192.168.1.1');
    expect(byKey.get('192.168.1.225')!.flows).toBeGreaterThan(1000);
    if (hasShared) {
      const c = await checkRecords(r.stdout);
      expect(c.ok, c.output).toBe(true);
    }
  }, 120_000);
});
