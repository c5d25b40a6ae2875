// Golden CLI cases: testdata/cases/<command>/<case>/ holds `cmd` (a bash command line run from
// the repository root with `fir` on PATH), optional `stdin`, and the expected `expout`,
// `experr` and `status` (default 0). FIR_UPDATE_GOLDEN=1 rewrites the expectations for
// review with `git diff` (npm run test:update).
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, TESTDATA } from './helpers.js';

const CASES = path.join(TESTDATA, 'cases');
const update = process.env.FIR_UPDATE_GOLDEN === '1';

function caseDirs(): { cmd: string; name: string; dir: string }[] {
  if (!existsSync(CASES)) return [];
  const out: { cmd: string; name: string; dir: string }[] = [];
  for (const cmd of readdirSync(CASES).sort()) {
    const cdir = path.join(CASES, cmd);
    if (!statSync(cdir).isDirectory()) continue;
    for (const name of readdirSync(cdir).sort()) {
      const dir = path.join(cdir, name);
      if (existsSync(path.join(dir, 'cmd'))) out.push({ cmd, name, dir });
    }
  }
  return out;
}

const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');

const cases = caseDirs();
describe('golden CLI cases', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    it(`${c.cmd}/${c.name}`, async () => {
      const line = readFileSync(path.join(c.dir, 'cmd'), 'utf8').trim();
      const stdinFile = path.join(c.dir, 'stdin');
      const r = await execa('bash', ['-o', 'pipefail', '-c', line], {
        cwd: ROOT,
        reject: false,
        stripFinalNewline: false,
        env: { PATH: `${path.join(ROOT, 'bin')}:${process.env.PATH}`, NO_COLOR: '1', TZ: 'UTC', COLUMNS: '120', CASE_DIR: path.relative(ROOT, c.dir) },
        ...(existsSync(stdinFile) ? { inputFile: stdinFile } : { stdin: 'ignore' as const }),
      });
      const got = { stdout: String(r.stdout), stderr: String(r.stderr), status: String(r.exitCode) };
      if (update) {
        writeFileSync(path.join(c.dir, 'expout'), got.stdout);
        writeFileSync(path.join(c.dir, 'experr'), got.stderr);
        writeFileSync(path.join(c.dir, 'status'), got.status + '\n');
        return;
      }
      expect(got.stderr, 'stderr').toBe(read(path.join(c.dir, 'experr')));
      expect(got.stdout, 'stdout').toBe(read(path.join(c.dir, 'expout')));
      expect(got.status, 'exit status').toBe((read(path.join(c.dir, 'status')).trim() || '0'));
    });
  }
});
