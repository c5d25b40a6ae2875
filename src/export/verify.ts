// `fir export --verify DIR`: check an evidence folder. Every file listed in SHA256SUMS must be
// there with its sum, no other file may be there, and the manifest (itself covered by
// SHA256SUMS) must list the same files with the same sums, sizes and record counts. One line
// per file on stderr, OK or FAILED with the reason, then a summary; exit 1 on any change.
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../commands/types.js';
import { UsageError } from '../errors.js';
import { sha256, sha256File } from './digest.js';
import { MANIFEST_FORMAT, SUMS_FILE } from './evidence.js';

export interface VerifyResult {
  /** a file name, or SHA256SUMS / manifest.json for checks of those */
  name: string;
  ok: boolean;
  why?: string;
}

export interface VerifyReport {
  results: VerifyResult[];
  /** SHA-256 of SHA256SUMS itself, to compare with the value noted at hand-off */
  sumsDigest?: string;
}

const SUM_LINE = /^([0-9a-fA-F]{64}) [ *](.+)$/;

export async function verifyEvidence(dir: string): Promise<VerifyReport> {
  const results: VerifyResult[] = [];
  const fail = (name: string, why: string) => results.push({ name, ok: false, why });
  let sumsText: string;
  try {
    sumsText = readFileSync(path.join(dir, SUMS_FILE), 'utf8');
  } catch (err) {
    fail(SUMS_FILE, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `cannot read: ${(err as Error).message}`);
    return { results };
  }
  const sums = new Map<string, string>();
  sumsText.split('\n').forEach((line, i) => {
    if (line === '') return;
    const m = SUM_LINE.exec(line);
    if (!m) return fail(SUMS_FILE, `line ${i + 1} is not "SHA256  NAME"`);
    const name = m[2];
    if (name.includes('/') || name.includes('\\') || name === '.' || name === '..' || name === SUMS_FILE) return fail(SUMS_FILE, `line ${i + 1} names ${name}, not a file of the folder`);
    if (sums.has(name)) return fail(SUMS_FILE, `line ${i + 1} lists ${name} twice`);
    sums.set(name, m[1].toLowerCase());
  });
  if (!sumsText.endsWith('\n') && sumsText !== '') fail(SUMS_FILE, 'no newline at the end');

  const sizes = new Map<string, number>();
  /** newlines per file: an NDJSON file of the folder holds one record per line */
  const lines = new Map<string, number>();
  const present = new Set(readdirSync(dir));
  for (const [name, want] of sums) {
    if (!present.has(name)) {
      fail(name, 'missing');
      continue;
    }
    const p = path.join(dir, name);
    // a symbolic link could point anywhere: the folder holds its files itself
    if (!lstatSync(p).isFile()) {
      fail(name, 'not a regular file');
      continue;
    }
    const d = await sha256File(p);
    sizes.set(name, d.bytes);
    lines.set(name, d.lines);
    results.push(d.sha256 === want ? { name, ok: true } : { name, ok: false, why: 'SHA-256 differs from SHA256SUMS' });
  }
  for (const name of [...present].sort()) {
    if (name !== SUMS_FILE && !sums.has(name)) fail(name, 'not listed in SHA256SUMS (added)');
  }

  // the manifest: covered by SHA256SUMS, and listing exactly the other files with their sums
  const mname = 'manifest.json';
  if (!sums.has(mname)) fail(mname, 'not listed in SHA256SUMS');
  else if (present.has(mname)) {
    let m: any;
    try {
      m = JSON.parse(readFileSync(path.join(dir, mname), 'utf8'));
    } catch {
      m = undefined;
    }
    const problems: string[] = [];
    if (!m || typeof m !== 'object' || !Array.isArray(m.files)) problems.push('not a manifest (no files list)');
    else {
      if (m.format !== MANIFEST_FORMAT) problems.push(`format is ${JSON.stringify(m.format)}, not ${MANIFEST_FORMAT}`);
      const listed = new Set<string>();
      for (const f of m.files as any[]) {
        const name = typeof f?.name === 'string' ? f.name : undefined;
        if (!name) {
          problems.push('a files entry without a name');
          continue;
        }
        listed.add(name);
        if (!sums.has(name)) problems.push(`lists ${name}, which SHA256SUMS does not`);
        else if (f.sha256 !== sums.get(name)) problems.push(`lists ${name} with another SHA-256 than SHA256SUMS`);
        else if (sizes.has(name) && f.bytes !== sizes.get(name)) problems.push(`lists ${name} with ${f.bytes} bytes, the file has ${sizes.get(name)}`);
        else if (typeof f.records === 'number' && lines.has(name) && /\.ndjson$/.test(name) && lines.get(name) !== f.records) {
          problems.push(`lists ${name} with ${f.records} records, the file has ${lines.get(name)} lines`);
        }
      }
      for (const name of sums.keys()) if (name !== mname && !listed.has(name)) problems.push(`does not list ${name}`);
    }
    for (const p of problems) fail(`${mname} (contents)`, p);
  }
  return { results, sumsDigest: sha256(sumsText) };
}

/** The --verify mode of the export command: returns the exit status (0 intact, 1 changed). */
export async function runVerify(args: Record<string, unknown>, ctx: Context): Promise<number> {
  const dir = String(args.verify ?? '');
  if (!dir) throw new UsageError('--verify needs the evidence folder: --verify DIR');
  if (args.format !== undefined) throw new UsageError('--verify checks a folder: it takes no --format');
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`--verify: no such folder: ${dir}`);
  }
  if (!st.isDirectory()) throw new UsageError(`--verify: ${dir} is not a folder`);
  const r = await verifyEvidence(dir);
  for (const x of r.results) ctx.diag.info(`${path.join(dir, x.name)}: ${x.ok ? 'OK' : `FAILED (${x.why})`}`);
  const failed = r.results.filter((x) => !x.ok).length;
  const files = r.results.filter((x) => x.ok).length;
  if (failed === 0) ctx.diag.info(`${dir}: intact: ${files} files match SHA256SUMS and the manifest; SHA-256 of ${SUMS_FILE}: ${r.sumsDigest}`);
  else ctx.diag.info(`${dir}: CHANGED: ${failed} check${failed === 1 ? '' : 's'} failed`);
  return failed === 0 ? 0 : 1;
}
