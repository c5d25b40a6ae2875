// fir fp add | list | from-event, and the round trip: a rule made from an event makes
// `fir detect --fp-rules` suppress that event.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.js';
import { TESTDATA, fir, records } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fir-fp-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = {
  kind: 'event', id: 'e1', start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:01:00.000Z', method: 'SCANS', submethod: 'TCPSYN',
  title: 'TCP SYN scan', priority: 'medium', src: '10.0.0.5', targets: ['10.0.1.3', '10.0.1.200'], ports: [22, 80], proto: 'tcp',
  detail: 'scan', evidence: {},
};

describe('fir fp', () => {
  it('add appends a rule with who and when to the default file in the current folder', async () => {
    const r = await fir(['fp', 'add', '--method', 'scans', '--submethod', 'TCPSYN', '--src', '10.0.0.5', '--port', '22,80', '--port', '443', '--reason', 'Nessus, weekly'], { cwd: dir, env: { USER: 'ana' } });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('fir fp: rule added to fir-fp-rules.ndjson\n');
    const file = path.join(dir, 'fir-fp-rules.ndjson');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toMatch(/^# fir false-positive rules/);
    const rule = JSON.parse(lines[1]!);
    expect(Object.keys(rule)).toEqual(['method', 'submethod', 'src', 'ports', 'reason', 'who', 'when']);
    expect(rule).toMatchObject({ method: 'SCANS', submethod: 'TCPSYN', src: '10.0.0.5/32', ports: [22, 80, 443], reason: 'Nessus, weekly', who: 'ana' });
    expect(Date.now() - Date.parse(rule.when)).toBeLessThan(60_000);
    expect(JSON.parse(r.stdout)).toEqual(rule);
    // the same rule again is not repeated
    const again = await fir(['fp', 'add', '--method', 'SCANS', '--submethod', 'TCPSYN', '--src', '10.0.0.5/32', '--port', '22,80,443', '--reason', 'again'], { cwd: dir });
    expect(again.stderr).toMatch(/already in/);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('uses $FIR_FP_RULES, and list writes NDJSON when piped and a table when asked', async () => {
    const file = path.join(dir, 'env-rules.ndjson');
    await fir(['fp', 'add', '--method', 'DNSANOMALY', '--target', '10.9.0.0/16', '--reason', 'lab \u001b[31mred'], { env: { FIR_FP_RULES: file } });
    expect(existsSync(file)).toBe(true);
    const l = await fir(['fp', 'list'], { env: { FIR_FP_RULES: file } });
    expect(l.exitCode).toBe(0);
    expect(records(l.stdout)).toMatchObject([{ method: 'DNSANOMALY', target: '10.9.0.0/16' }]);
    const t = await fir(['fp', 'list', '--rules', file, '--format', 'table']);
    expect(t.stdout).toMatch(/│ # │ method/);
    expect(t.stdout).toContain('DNSANOMALY');
    expect(t.stdout).toContain('10.9.0.0/16');
    expect(t.stdout).not.toContain('\u001b'); // the escape in the reason is shown, not run
    expect(t.stdout).toContain('\\x1b[31mred');
  });

  it('from-event writes the narrowest rule that suppresses the event', async () => {
    const r = await fir(['fp', 'from-event', '--reason', 'known scanner'], { input: JSON.stringify(event) + '\n', env: { USER: 'bob' } });
    expect(r.exitCode).toBe(0);
    const [rule] = records(r.stdout);
    expect(rule).toEqual({ method: 'SCANS', submethod: 'TCPSYN', src: '10.0.0.5/32', target: '10.0.1.0/24', ports: [22, 80], reason: 'known scanner', who: 'bob', when: rule!.when });
    const v6 = await fir(['fp', 'from-event'], { input: JSON.stringify({ ...event, src: '2001:db8::5', targets: ['2001:db8::1'], ports: undefined }) + '\n' });
    expect(records(v6.stdout)[0]).toMatchObject({ src: '2001:db8::5/128', target: '2001:db8::1/128', reason: 'false positive (event e1: TCP SYN scan)' });
    expect(records(v6.stdout)[0]).not.toHaveProperty('ports');
  });

  it('from-event --rules appends, and reports records that are not events', async () => {
    const file = path.join(dir, 'from-event.ndjson');
    const r = await fir(['fp', 'from-event', '--rules', file], { input: JSON.stringify(event) + '\n{"kind":"flow"}\nnot json\n' });
    expect(r.exitCode).toBe(1);
    // lines that are not JSON are reported as a batch is read, before the records of the batch
    expect(r.stderr.split('\n').filter(Boolean).sort()).toEqual([
      'fir fp: stdin:2: not an event record',
      'fir fp: stdin:3: not JSON (unexpected token \'o\', "not json" is not valid JSON)',
      `fir fp: 1 rule added to ${file}`,
    ].sort());
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toContain('"src":"10.0.0.5/32"');
    const none = await fir(['fp', 'from-event'], { input: '' });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toBe('fir fp: stdin: no event to make a rule from\n');
  });

  it('refuses bad rules and never extends a broken file', async () => {
    let r = await fir(['fp', 'add', '--method', 'SCANS', '--src', '10.0.0.300', '--reason', 'x'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/"src" must be an address or network/);
    r = await fir(['fp', 'add', '--method', 'SCANS'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/needs --reason/);
    const broken = path.join(dir, 'broken.ndjson');
    writeFileSync(broken, '{"method":"SCANS","reason":"ok"}\n{oops\n');
    r = await fir(['fp', 'add', '--method', 'SCANS', '--reason', 'x', '--rules', broken]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${broken}:2: not a JSON object`);
    expect(readFileSync(broken, 'utf8')).toBe('{"method":"SCANS","reason":"ok"}\n{oops\n');
  });

  it.skipIf(!commands.some((c) => c.name === 'detect'))('round trip: fp from-event, then detect --fp-rules suppresses that event', async () => {
    const flows = path.join(TESTDATA, 'flows', 'lab-flows.ndjson');
    const d = await fir(['detect', flows]);
    const events = records(d.stdout);
    expect(events.length).toBeGreaterThan(0);
    const target = events[0]!;
    const file = path.join(dir, 'roundtrip.ndjson');
    const r = await fir(['fp', 'from-event', '--rules', file, '--reason', 'lab traffic'], { input: JSON.stringify(target) + '\n' });
    expect(r.exitCode).toBe(0);
    const after = await fir(['detect', '--fp-rules', file, flows]);
    expect(after.exitCode, after.stderr).toBe(0);
    const left = records(after.stdout);
    expect(left.map((e) => e.id)).not.toContain(target.id);
    expect(left.length).toBe(events.length - 1);
    expect(after.stderr).toMatch(/1 event suppressed/);
  });
});
