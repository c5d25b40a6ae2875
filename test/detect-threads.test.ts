// fir detect --threads 2 (the methods split between the main thread and a worker, their
// candidates merged back in one thread's order) must write exactly what one thread writes:
// events, their order, diagnostics and exit status, over several sources and bad lines.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { fir, hasShared, records, SHARED, TESTDATA } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'fir-detect-threads-'));
const STORY = path.join(TESTDATA, 'detect', 'story.ndjson');
const files: string[] = [STORY];

beforeAll(async () => {
  // real traffic with a flood, a tunnel and a big transfer
  const lab = path.join(tmp, 'dte.ndjson');
  const r = await fir(['ingest', path.join(TESTDATA, 'lab', 'dos-tunnel-exfil', 'capture.pcap')]);
  expect(r.exitCode, r.stderr).toBe(0);
  writeFileSync(lab, r.stdout);
  files.push(lab);
  // the bench generator's flows: many beacons, more than one read chunk (several MiB)
  if (hasShared) {
    const gen = path.join(tmp, 'gen.ndjson');
    writeFileSync(gen, execFileSync('node', [path.join(SHARED, 'bench', 'gen_flows.js'), '20000'], { maxBuffer: 1 << 30 }));
    files.push(gen);
  }
  // lines that are not usable flows, CRLF endings and no final newline
  const story = readFileSync(STORY, 'utf8').trim().split('\n');
  const noise = [story[0], '', 'not json', '[1,2]', '{"kind":"event","method":"X"}', '{"kind":"flow","start":"x","proto":"tcp"}', story[1], '{"kind":"flow","start":"2026-11-27T10:00:00.000Z","proto":"tcp","pkts":-1}', story[2]];
  writeFileSync(path.join(tmp, 'noise.ndjson'), noise.join('\r\n'));
  files.push(path.join(tmp, 'noise.ndjson'));
  writeFileSync(path.join(tmp, 'block.txt'), '192.168.1.100\nupdates-cdn.net\n');
  writeFileSync(path.join(tmp, 'inv.csv'), 'name,mac,ip\ngw,00:1e:58:a1:00:01,192.168.1.1\n');
}, 120_000);

async function both(args: string[]): Promise<ReturnType<typeof records>> {
  const one = await fir(['detect', '--threads', '1', ...args, ...files]);
  const two = await fir(['detect', '--threads', '2', ...args, ...files]);
  expect(two.stdout).toBe(one.stdout);
  expect(two.stderr).toBe(one.stderr);
  expect(two.exitCode).toBe(one.exitCode);
  return records(one.stdout);
}

describe('fir detect --threads 2', () => {
  it('writes the same events, diagnostics and status as one thread (all methods)', async () => {
    const ev = await both([]);
    const methods = new Set(ev.map((e) => e.method));
    // methods of both threads fired
    for (const m of ['DHCPANOM', 'DNSANOMALY', 'SCANS', 'SSHDICT', 'DOS', 'HIGHTRANSF']) expect(methods).toContain(m);
    if (hasShared) expect(methods).toContain('BEACON');
  }, 120_000);

  it('the same with a blocklist and an inventory (they cross to the worker)', async () => {
    const ev = await both(['--blocklist', path.join(tmp, 'block.txt'), '--inventory', path.join(tmp, 'inv.csv')]);
    expect(ev.some((e) => e.method === 'BLACKLIST')).toBe(true);
    expect(ev.some((e) => e.method === 'ALIENDEV')).toBe(true);
  }, 120_000);

  it('the same with a config, a perspective, fp rules and some methods', async () => {
    await both(['--config', path.join(TESTDATA, 'detect', 'lan.json'), '--perspective', 'quiet', '--fp-rules', path.join(TESTDATA, 'detect', 'fp.ndjson')]);
    const ev = await both(['--methods', 'BEACON,SCANS,DOS', '--local-nets', '192.168.1.0/24']);
    expect(ev.length).toBeGreaterThan(0);
  }, 120_000);

  it('reads stdin the same way', async () => {
    const input = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    const one = await fir(['detect', '--threads', '1'], { input });
    const two = await fir(['detect', '--threads', '2'], { input });
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
  }, 120_000);

  it('--threads takes 1 or 2', async () => {
    const r = await fir(['detect', '--threads', '3', STORY]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--threads: 1 or 2/);
  });
});
