// fir timeline through the CLI: records checked against the contract, colour and escaping on a
// (forced) table, the story's records, closed stdout, and input it must report.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TESTDATA, checkRecords, fir, hasShared, records } from './helpers.js';

const EVENTS = path.join(TESTDATA, 'timeline', 'events.ndjson');
const FLOWS = path.join(TESTDATA, 'timeline', 'flows.ndjson');

describe('fir timeline', () => {
  it('writes the input lines unchanged, in time order, and they pass the contract checker', async () => {
    const r = await fir(['timeline', EVENTS, FLOWS]);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const input = new Set([...readFileSync(EVENTS, 'utf8').trim().split('\n'), ...readFileSync(FLOWS, 'utf8').trim().split('\n')]);
    expect(lines.length).toBe(input.size);
    for (const l of lines) expect(input.has(l)).toBe(true);
    const starts = records(r.stdout).map((x) => x.start);
    expect(starts).toEqual([...starts].sort());
    if (hasShared) {
      const c = await checkRecords(r.stdout);
      expect(c.output).toMatch(/0 problems/);
      expect(c.ok).toBe(true);
    }
  });

  it('groups by actor and sorts for triage', async () => {
    const r = await fir(['timeline', '--by', 'src', '--sort', 'priority', EVENTS]);
    const recs = records(r.stdout);
    const actors = recs.map((x) => x.src);
    // each actor's events are together
    const seen = new Set<string>();
    for (let i = 0; i < actors.length; i++) {
      if (i > 0 && actors[i] !== actors[i - 1]) expect(seen.has(actors[i])).toBe(false);
      seen.add(actors[i]);
    }
    expect(recs[0].priority).toBe('critical');
  });

  it('paints priorities on a forced table only with colour on, and never lets network bytes through', async () => {
    const colour = await fir(['timeline', '--format', 'table', EVENTS], { env: { NO_COLOR: '', FORCE_COLOR: '1', COLUMNS: '140' } });
    expect(colour.stdout).toContain('\u001b[31m'); // critical in red
    expect(colour.stdout).toContain('\\x1b[31mevil\\x07');
    // every escape sequence in the output is one of ours (SGR), none from the data
    const escapes = colour.stdout.match(/\u001b[^m]*m?/g) ?? [];
    for (const e of escapes) expect(e).toMatch(/^\u001b\[\d+m$/);
    expect(colour.stdout).not.toContain('\u0007');
    const plain = await fir(['timeline', '--format', 'table', EVENTS], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(plain.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    for (const line of plain.stdout.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(120);
  });

  it('fits the table to a narrow terminal', async () => {
    const r = await fir(['timeline', '--format', 'table', EVENTS], { env: { COLUMNS: '80' } });
    for (const line of r.stdout.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('writes story records when piped', async () => {
    const r = await fir(['timeline', '--story', EVENTS]);
    expect(r.exitCode).toBe(0);
    const stories = records(r.stdout);
    expect(stories.every((s) => s.kind === 'story')).toBe(true);
    const att = stories.find((s) => s.actor === '192.168.1.100')!;
    expect(att.steps.map((s: any) => s.method)).toEqual(['DHCPANOM', 'DNSANOMALY', 'SCANS', 'SCANS', 'SSHDICT', 'HIGHTRANSF', 'DOS', 'DNSANOMALY']);
    for (const s of att.steps) expect(Object.keys(s)).toEqual(expect.arrayContaining(['time', 'method', 'submethod', 'tactic', 'technique', 'targets', 'detail', 'event', 'sentence']));
    expect(att.text).toMatch(/^192\.168\.1\.100 took 8 steps from 10:00:02 to 10:07:30 UTC/);
    // the text view escapes the tunnel's name
    const t = await fir(['timeline', '--story', '--format', 'text', EVENTS]);
    expect(t.stdout).not.toContain('\u001b');
  });

  it('reports what it cannot place, keeps the rest, and exits 1', async () => {
    const r = await fir(['timeline', path.join(TESTDATA, 'timeline', 'bad.ndjson')]);
    expect(r.exitCode).toBe(1);
    expect(records(r.stdout).map((x) => x.id)).toEqual(['x3', 'x1']);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^fir timeline: .*bad\.ndjson:2: not JSON/),
      expect.stringMatching(/^fir timeline: .*bad\.ndjson:3: start is not an ISO 8601 time$/),
      expect.stringMatching(/^fir timeline: .*bad\.ndjson:4: not a JSON object$/),
    ]);
  });

  it('ends quietly when the reader goes away', async () => {
    const big = Array.from({ length: 40000 }, (_, i) => JSON.stringify({ kind: 'event', id: `e${i}`, start: new Date(Date.UTC(2026, 10, 27) + i * 1000).toISOString(), end: new Date(Date.UTC(2026, 10, 27) + i * 1000).toISOString(), src: '10.0.0.1', method: 'SCANS', priority: 'low' })).join('\n');
    const { execa } = await import('execa');
    const r = await execa('bash', ['-o', 'pipefail', '-c', `${path.join(TESTDATA, '..', 'bin', 'fir')} timeline | head -1`], { input: big, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(String(r.stdout)).id).toBe('e0');
  });

  it('has help with examples', async () => {
    const r = await fir(['timeline', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/--story/);
  });
});
