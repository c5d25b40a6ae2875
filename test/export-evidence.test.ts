// fir export --format evidence and --verify: an evidence folder made from the seed-story
// investigation (or the hostile fixture when the lab capture is absent) checks out with fir and
// with `sha256sum -c`; every kind of tampering (a changed byte, a deleted file, an added file,
// an edited manifest, a forged manifest with a matching SHA256SUMS) fails --verify.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRecords, fir, hasShared, records, TESTDATA } from './helpers.js';

const SEED = path.join(TESTDATA, 'lab', 'seed-story', 'capture.pcap');
const HOSTILE = path.join(TESTDATA, 'cases', 'export-html', 'hostile', 'stdin');
const FILES = ['SHA256SUMS', 'events.ndjson', 'flows.ndjson', 'manifest.json', 'report.html', 'timeline.ndjson'];
const EPOCH = '1795856400';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

let tmp: string;
let flowsFile: string;
let eventsText: string;
let flowsText: string;
let ev: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'fir-evidence-'));
  flowsFile = path.join(tmp, 'flows.ndjson');
  if (existsSync(SEED)) {
    const ing = await fir(['ingest', SEED]);
    expect(ing.exitCode, ing.stderr).toBe(0);
    flowsText = ing.stdout;
    writeFileSync(flowsFile, flowsText);
    const det = await fir(['detect', flowsFile]);
    expect(det.exitCode, det.stderr).toBe(0);
    eventsText = det.stdout;
  } else {
    console.warn(`export-evidence: ${SEED} is absent: using the hostile fixture`);
    const all = records(readFileSync(HOSTILE, 'utf8'));
    eventsText = all.filter((r) => r.kind === 'event').map((r) => JSON.stringify(r) + '\n').join('');
    flowsText = all.filter((r) => r.kind === 'flow').map((r) => JSON.stringify(r) + '\n').join('');
    writeFileSync(flowsFile, flowsText);
  }
  ev = path.join(tmp, 'ev');
  const r = await fir(['export', '--format', 'evidence', '--out', ev, '--flows', flowsFile], { input: eventsText, env: { SOURCE_DATE_EPOCH: EPOCH } });
  expect(r.exitCode, r.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh copy of the good folder to tamper with. */
function copy(name: string): string {
  const d = path.join(tmp, name);
  cpSync(ev, d, { recursive: true });
  return d;
}

describe('fir export --format evidence', () => {
  it('writes the six files, the events as given and the related flows', () => {
    expect(readdirSync(ev).sort()).toEqual(FILES);
    expect(readFileSync(path.join(ev, 'events.ndjson'), 'utf8')).toBe(eventsText);
    const events = records(eventsText);
    const named = new Set(events.flatMap((e) => (Array.isArray(e.evidence?.flows) ? e.evidence.flows : [])));
    const flows = records(readFileSync(path.join(ev, 'flows.ndjson'), 'utf8'));
    expect(flows.length).toBe(named.size);
    for (const f of flows) expect(named.has(f.id)).toBe(true);
    const timeline = records(readFileSync(path.join(ev, 'timeline.ndjson'), 'utf8'));
    expect(timeline.length).toBe(events.length);
    for (let i = 1; i < timeline.length; i++) expect(timeline[i - 1].start <= timeline[i].start).toBe(true);
    expect(readFileSync(path.join(ev, 'report.html'), 'utf8')).toContain('generated 2026-11-28 09:00:00.000 UTC');
  });

  it('writes a manifest with the tool, command line, inputs and their SHA-256, span, time, counts and files', () => {
    const m = JSON.parse(readFileSync(path.join(ev, 'manifest.json'), 'utf8'));
    expect(m.format).toBe('fir-evidence/1');
    expect(m.tool.name).toBe('fir');
    expect(m.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(m.created).toBe('2026-11-28T09:00:00.000Z');
    expect(m.command_line).toEqual(['fir', 'export', '--format', 'evidence', '--out', ev, '--flows', flowsFile]);
    // stdin hashed as it streamed; the flow file hashed whole
    expect(m.inputs).toEqual([
      { name: 'stdin', role: 'records', bytes: Buffer.byteLength(eventsText), sha256: sha(eventsText) },
      { name: flowsFile, role: 'flows', bytes: Buffer.byteLength(flowsText), sha256: sha(flowsText) },
    ]);
    const events = records(eventsText);
    expect(m.counts.events).toBe(events.length);
    expect(m.counts.flows_given).toBe(records(flowsText).length);
    expect(m.time_span.start <= m.time_span.end).toBe(true);
    expect(m.time_span.start).toBe(events.map((e) => e.start).sort()[0]);
    expect(m.files.map((f: any) => f.name)).toEqual(['events.ndjson', 'flows.ndjson', 'timeline.ndjson', 'report.html']);
    for (const f of m.files) {
      const b = readFileSync(path.join(ev, f.name));
      expect(f.sha256).toBe(sha(b));
      expect(f.bytes).toBe(b.length);
    }
  });

  it.skipIf(!hasShared)('writes records that pass the contract checker', async () => {
    for (const f of ['events.ndjson', 'flows.ndjson', 'timeline.ndjson']) {
      const c = await checkRecords(readFileSync(path.join(ev, f), 'utf8'));
      expect(c.ok, `${f}: ${c.output}`).toBe(true);
    }
  });

  it('is checked by sha256sum -c and by fir export --verify', async () => {
    const s = await execa('sha256sum', ['-c', 'SHA256SUMS'], { cwd: ev, reject: false });
    expect(s.exitCode, String(s.stdout) + String(s.stderr)).toBe(0);
    expect(String(s.stdout).trim().split('\n')).toHaveLength(5);
    const v = await fir(['export', '--verify', ev]);
    expect(v.exitCode, v.stderr).toBe(0);
    for (const f of FILES.filter((x) => x !== 'SHA256SUMS')) expect(v.stderr).toContain(`fir export: ${path.join(ev, f)}: OK\n`);
    expect(v.stderr).toContain(`intact: 5 files match SHA256SUMS and the manifest; SHA-256 of SHA256SUMS: ${sha(readFileSync(path.join(ev, 'SHA256SUMS')))}`);
  });

  it('archives every flow with --all-flows (once per id)', async () => {
    const d = path.join(tmp, 'all');
    const r = await fir(['export', '--format', 'evidence', '--all-flows', '--out', d, '--flows', flowsFile], { input: eventsText });
    expect(r.exitCode, r.stderr).toBe(0);
    const ids = new Set(records(flowsText).map((f) => f.id));
    expect(records(readFileSync(path.join(d, 'flows.ndjson'), 'utf8')).length).toBe(ids.size);
    expect((await fir(['export', '--verify', d])).exitCode).toBe(0);
  });

  it('takes events and flows together on stdin', async () => {
    const d = path.join(tmp, 'mixed');
    const r = await fir(['export', '--format', 'evidence', '--out', d], { input: eventsText + flowsText });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(path.join(d, 'flows.ndjson'), 'utf8')).toBe(readFileSync(path.join(ev, 'flows.ndjson'), 'utf8'));
  });

  it('refuses a folder that is not empty unless --force, and --force only over evidence files', async () => {
    const d = copy('again');
    const no = await fir(['export', '--format', 'evidence', '--out', d], { input: eventsText });
    expect(no.exitCode).toBe(2);
    expect(no.stderr).toContain('is not empty (give --force');
    const yes = await fir(['export', '--format', 'evidence', '--force', '--out', d], { input: eventsText });
    expect(yes.exitCode, yes.stderr).toBe(0);
    expect((await fir(['export', '--verify', d])).exitCode).toBe(0);
    const other = path.join(tmp, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'notes.txt'), 'mine\n');
    const f = await fir(['export', '--format', 'evidence', '--force', '--out', other], { input: eventsText });
    expect(f.exitCode).toBe(2);
    expect(readFileSync(path.join(other, 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('needs --out, and --verify takes a folder and no --format', async () => {
    expect((await fir(['export', '--format', 'evidence'], { input: '' })).exitCode).toBe(2);
    expect((await fir(['export', '--verify', path.join(tmp, 'nope')])).exitCode).toBe(2);
    expect((await fir(['export', '--verify', ev, '--format', 'csv'])).exitCode).toBe(2);
  });
});

describe('fir export --verify on a tampered folder', () => {
  const cases: [string, (d: string) => void, RegExp][] = [
    [
      'one byte of events.ndjson changed',
      (d) => {
        const p = path.join(d, 'events.ndjson');
        const b = readFileSync(p);
        b[10] ^= 0x01;
        writeFileSync(p, b);
      },
      /events\.ndjson: FAILED \(SHA-256 differs from SHA256SUMS\)/,
    ],
    ['flows.ndjson deleted', (d) => unlinkSync(path.join(d, 'flows.ndjson')), /flows\.ndjson: FAILED \(missing\)/],
    ['a file added', (d) => writeFileSync(path.join(d, 'extra.ndjson'), '{}\n'), /extra\.ndjson: FAILED \(not listed in SHA256SUMS \(added\)\)/],
    [
      'manifest.json edited',
      (d) => {
        const p = path.join(d, 'manifest.json');
        writeFileSync(p, readFileSync(p, 'utf8').replace('"created": "2026-11-28T09:00:00.000Z"', '"created": "2026-11-27T09:00:00.000Z"'));
      },
      /manifest\.json: FAILED \(SHA-256 differs from SHA256SUMS\)/,
    ],
    [
      'events.ndjson replaced, its sum in SHA256SUMS updated, the manifest left',
      (d) => {
        const p = path.join(d, 'events.ndjson');
        const text = readFileSync(p, 'utf8').split('\n').slice(1).join('\n');
        writeFileSync(p, text);
        const sp = path.join(d, 'SHA256SUMS');
        writeFileSync(sp, readFileSync(sp, 'utf8').replace(/^[0-9a-f]{64}  events\.ndjson$/m, `${sha(text)}  events.ndjson`));
      },
      /manifest\.json \(contents\): FAILED \(lists events\.ndjson with another SHA-256 than SHA256SUMS\)/,
    ],
    [
      'events.ndjson replaced by a link to an identical copy elsewhere',
      (d) => {
        const outside = `${d}-outside.ndjson`;
        copyFileSync(path.join(d, 'events.ndjson'), outside);
        unlinkSync(path.join(d, 'events.ndjson'));
        symlinkSync(outside, path.join(d, 'events.ndjson'));
      },
      /events\.ndjson: FAILED \(not a regular file\)/,
    ],
    ['SHA256SUMS deleted', (d) => unlinkSync(path.join(d, 'SHA256SUMS')), /SHA256SUMS: FAILED \(missing\)/],
    ['a line appended to SHA256SUMS', (d) => appendFileSync(path.join(d, 'SHA256SUMS'), 'not a sum\n'), /SHA256SUMS: FAILED \(line 6 is not "SHA256  NAME"\)/],
  ];
  for (const [name, tamper, want] of cases) {
    it(`fails when ${name}`, async () => {
      const d = copy(name.replace(/\W+/g, '-'));
      tamper(d);
      const v = await fir(['export', '--verify', d]);
      expect(v.exitCode, v.stderr).toBe(1);
      expect(v.stderr).toMatch(want);
      expect(v.stderr).toMatch(/CHANGED: \d+ checks? failed\n$/);
    });
  }

  it('sha256sum -c fails too when a byte changed', async () => {
    const d = copy('byte-sha256sum');
    const p = path.join(d, 'timeline.ndjson');
    const b = readFileSync(p);
    b[0] ^= 0x20;
    writeFileSync(p, b);
    const s = await execa('sha256sum', ['-c', 'SHA256SUMS'], { cwd: d, reject: false });
    expect(s.exitCode).toBe(1);
  });
});
