// fir detect through the CLI: the contract's record shape, flags, exit statuses, the man page.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRecords, fir, hasShared, records, ROOT, TESTDATA } from './helpers.js';
import { ENGINE_DEFAULTS, METHOD_DEFAULTS } from '../src/detect/config.js';
import { METHODS } from '../src/detect/registry.js';

const STORY = path.join(TESTDATA, 'detect', 'story.ndjson');

describe('fir detect (CLI)', () => {
  it('finds the story of the fixture and writes records the contract checker accepts', async () => {
    const r = await fir(['detect', STORY]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const ev = records(r.stdout);
    expect(ev.map((e) => `${e.method}/${e.submethod} ${e.src} ${e.priority}`)).toEqual([
      'DHCPANOM/FAKESERVER 192.168.1.100 high',
      'DNSANOMALY/UNUSUALSERVER 192.168.1.225 high',
      'SCANS/ARP 192.168.1.100 medium',
      'SCANS/TCPSYN 192.168.1.100 medium',
      'SSHDICT/SUCCESS 192.168.1.100 critical',
    ]);
    // no benign host nor the gateway is the source of anything
    for (const e of ev) expect(['192.168.1.1', '192.168.1.10', '192.168.1.11', '192.168.1.20']).not.toContain(e.src);
    if (hasShared) {
      const c = await checkRecords(r.stdout);
      expect(c.output).toMatch(/0 problems/);
      expect(c.ok).toBe(true);
    }
  });

  it('takes repeated list flags and lists with commas alike', async () => {
    const a = await fir(['detect', '--methods', 'SCANS', '--methods', 'sshdict', STORY]);
    const b = await fir(['detect', '--methods', 'scans,SSHDICT', STORY]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(records(a.stdout).map((e) => e.method)).toEqual(['SCANS', 'SCANS', 'SSHDICT']);
  });

  it('gives the same events when the input is read in a different but moderately disordered order', async () => {
    const lines = readFileSync(STORY, 'utf8').trim().split('\n');
    // swap neighbours: every flow moves by one line, a few milliseconds to seconds of flow time
    const swapped = [...lines];
    for (let i = 0; i + 1 < swapped.length; i += 2) [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
    const a = await fir(['detect', STORY]);
    const b = await fir(['detect'], { input: swapped.join('\n') + '\n' });
    expect(records(b.stdout).map((e) => e.id).sort()).toEqual(records(a.stdout).map((e) => e.id).sort());
  });

  it('--fail-on: exit 3 at or above the priority, 0 below', async () => {
    expect((await fir(['detect', '--fail-on', 'critical', STORY])).exitCode).toBe(3);
    expect((await fir(['detect', '--fail-on', 'high', '--methods', 'SCANS', STORY])).exitCode).toBe(0);
    const bad = await fir(['detect', '--fail-on', 'urgent', STORY]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^fir detect: --fail-on: not a priority: urgent/);
  });

  it('usage errors: bad address lists, unknown perspective, missing config', async () => {
    const r1 = await fir(['detect', '--dhcp-servers', 'gateway', STORY]);
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toMatch(/--dhcp-servers: not an IP address: gateway/);
    const r2 = await fir(['detect', '--perspective', 'nope', STORY]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/unknown perspective nope \(perspectives: default, quiet\)/);
    const r3 = await fir(['detect', '--config', '/nonexistent/lan.json', STORY]);
    expect(r3.exitCode).toBe(2);
    expect(r3.stderr).toMatch(/--config: cannot read \/nonexistent\/lan\.json: ENOENT/);
    const r4 = await fir(['detect', '--local-nets', '10.0.0.0/33', STORY]);
    expect(r4.exitCode).toBe(2);
  });

  it('passes over records that are not flows, and says so when there is no flow at all', async () => {
    const r = await fir(['detect'], { input: '{"kind":"event","id":"a","method":"SCANS"}\n{"kind":"summary","by":"src"}\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('fir detect: no flow records in the input (2 other records passed over)\n');
  });

  it('an unreadable input file is reported and the others are still read (exit 1)', async () => {
    const r = await fir(['detect', '/nonexistent/flows.ndjson', STORY]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^fir detect: \/nonexistent\/flows\.ndjson: cannot read: no such file/);
    expect(records(r.stdout)).toHaveLength(5);
  });

  it('the man page documents every method and every setting with its default', () => {
    const man = readFileSync(path.join(ROOT, 'man', 'fir-detect.1'), 'utf8').replace(/\\-/g, '-');
    for (const m of METHODS) {
      expect(man).toContain(m.name);
      for (const s of m.submethods) expect(man).toContain(s);
    }
    const sections: [string, Record<string, unknown>][] = [['engine', ENGINE_DEFAULTS], ...Object.entries(METHOD_DEFAULTS)];
    for (const [name, defs] of sections) {
      const at = man.indexOf(`.SS ${name}\n`, man.indexOf('.SH SETTINGS'));
      expect(at, `settings section ${name}`).toBeGreaterThan(0);
      const next = man.indexOf('.SS ', at + 4);
      const sec = man.slice(at, next < 0 ? undefined : next);
      for (const [k, v] of Object.entries(defs)) {
        expect(sec, `${name}.${k}`).toContain(`.B ${k}\n`);
        if (typeof v === 'number') expect(sec, `${name}.${k} default`).toMatch(new RegExp(`\\.B ${k}\\ndefault ${String(v).replace('.', '\\.')}\\b`));
      }
    }
  });
});
