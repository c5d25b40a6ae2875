// Every command has --help with examples and a man page with the sections users look for.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.js';
import { fir, ROOT } from './helpers.js';

const SECTIONS = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXIT STATUS', 'EXAMPLES'];

describe('fir --help and man pages', () => {
  it('lists every command in the top-level help', async () => {
    const r = await fir(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(`fir ${c.name}`);
  });

  it('prints the version', async () => {
    const r = await fir(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects an unknown command with exit 2', async () => {
    const r = await fir(['no-such-command']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^fir: /);
  });

  it('fir.1 renders and names every command', async () => {
    const page = path.join(ROOT, 'man', 'fir.1');
    const text = readFileSync(page, 'utf8');
    for (const c of commands) expect(text).toContain(`fir\\-${c.name}`);
    const r = await execa('groff', ['-man', '-Tutf8', '-ww', '-z', page], { reject: false });
    expect(r.stderr).toBe('');
  });

  for (const c of commands) {
    it(`fir ${c.name} --help has examples, and man/fir-${c.name}.1 has its sections`, async () => {
      const r = await fir([c.name, '--help']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('Examples:');
      const page = path.join(ROOT, 'man', `fir-${c.name}.1`);
      expect(existsSync(page), page).toBe(true);
      const text = readFileSync(page, 'utf8');
      for (const s of SECTIONS) expect(text, `${page} section ${s}`).toMatch(new RegExp(`^\\.SH "?${s}"?`, 'm'));
      const g = await execa('groff', ['-man', '-Tutf8', '-ww', '-z', page], { reject: false });
      expect(g.stderr, `groff warnings for ${page}`).toBe('');
    });
  }
});
