// On a terminal, what export, enrich and fp write carries no control characters from the data:
// each command runs on a real pseudo-terminal (util-linux script(1)) with a record whose
// strings hold an ANSI escape, a C1 CSI and a bidi override.
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIR, ROOT } from './helpers.js';

const hasScript = (await execa('bash', ['-c', 'command -v script'], { reject: false })).exitCode === 0;
if (!hasScript) console.warn('export-tty: script(1) from util-linux is not installed: the terminal tests are skipped');

const EVIL = 'a\u001b[31mred\u009b2J\u202eevil\u0007';
const event = {
  kind: 'event', id: 'x1', start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:00:01.000Z', method: 'BLACKLIST', submethod: 'DOMAIN',
  title: `listed ${EVIL}`, priority: 'high', src: '10.0.0.1', targets: ['10.0.0.2'], detail: EVIL, evidence: { name: EVIL }, src_host: EVIL,
};
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let dir: string;
let input: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fir-tty-'));
  input = path.join(dir, 'events.ndjson');
  writeFileSync(input, JSON.stringify(event) + '\n');
  writeFileSync(path.join(dir, 'rules.ndjson'), JSON.stringify({ method: 'BLACKLIST', reason: EVIL, who: EVIL }) + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function onTerminal(args: string): Promise<string> {
  const r = await execa('script', ['-qec', `${FIR} ${args}`, '/dev/null'], { cwd: ROOT, reject: false, env: { NO_COLOR: '1', COLUMNS: '200' } });
  expect(r.exitCode, String(r.stderr)).toBe(0);
  // the pseudo-terminal turns LF into CR LF: that CR is the terminal's, not the data's
  return String(r.stdout).replace(/\r\n/g, '\n');
}

describe.skipIf(!hasScript)('terminal output has no control characters from the data', () => {
  for (const f of ['csv', 'json', 'cef', 'syslog', 'ecs']) {
    it(`export --format ${f}`, async () => {
      const out = await onTerminal(`export --format ${f} ${input}`);
      expect(out).toContain('red');
      expect(out).not.toMatch(CONTROL);
      // shown as an escape: \x1b (text formats) or \u001b (JSON formats)
      expect(out).toMatch(/\\(x1b|u001b)\[31m/);
    });
  }

  it('enrich and fp list', async () => {
    for (const args of [`enrich ${input}`, `fp list --rules ${path.join(dir, 'rules.ndjson')}`, `fp list --format ndjson --rules ${path.join(dir, 'rules.ndjson')}`]) {
      const out = await onTerminal(args);
      expect(out, args).toContain('red');
      expect(out, args).not.toMatch(CONTROL);
    }
  });
});
