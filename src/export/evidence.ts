// `fir export --format evidence --out DIR`: an evidence folder to archive an investigation or
// hand it over: the events, the related flows, the timeline, the HTML report, a manifest (tool,
// command line, inputs with their SHA-256, time span, creation time, counts, files) and
// SHA256SUMS (`sha256sum -c` reads it). `fir export --verify DIR` checks it (verify.ts).
// Holds the input, like the report.
import { lstatSync, mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { orderTimeline, timelineItem, type TimelineItem } from '../core/timeline.js';
import { UsageError } from '../errors.js';
import { sourceName } from '../io.js';
import { PRIORITIES, isoTime, timeMs } from '../record.js';
import { VERSION } from '../version.js';
import { sha256, sha256File, stdinDigest, type Digest } from './digest.js';
import { collect, flowFiles, reportTime, reportTitle, type Held } from './html/collect.js';
import { renderReport } from './html/report.js';
import type { ExportWriter } from './types.js';

/** The files of an evidence folder, in the order they are written; SHA256SUMS covers the others. */
export const EVIDENCE_FILES = ['events.ndjson', 'flows.ndjson', 'timeline.ndjson', 'report.html', 'manifest.json'] as const;
export const SUMS_FILE = 'SHA256SUMS';
export const MANIFEST_FORMAT = 'fir-evidence/1';

export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
  /** NDJSON files: the number of records */
  records?: number;
}

export interface ManifestInput {
  name: string;
  role: 'records' | 'flows';
  bytes?: number;
  sha256?: string;
  note?: string;
}

/**
 * Make --out ready: create it, or accept it empty. A folder that is not empty is refused
 * unless --force, and even then only the files an evidence folder holds are replaced: any
 * other entry is refused, so --force never deletes someone else's files.
 */
export function prepareFolder(dir: string, force: boolean): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new UsageError(`--out: cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return;
  }
  if (!st.isDirectory()) throw new UsageError(`--out: ${dir} is not a folder`);
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  if (!force) throw new UsageError(`--out: ${dir} is not empty (give --force to replace a previous evidence folder)`);
  const ours = new Set<string>([...EVIDENCE_FILES, SUMS_FILE]);
  const foreign = entries.filter((e) => !ours.has(e) || !lstatSync(path.join(dir, e)).isFile());
  if (foreign.length) throw new UsageError(`--out: ${dir} holds entries that are not from an evidence folder (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}): not replaced`);
  for (const e of entries) unlinkSync(path.join(dir, e));
}

function ndjson(list: Held[]): string {
  let s = '';
  for (const h of list) s += h.raw + '\n';
  return s;
}

async function inputDigest(arg: string, role: ManifestInput['role'], ctx: object): Promise<ManifestInput> {
  const name = sourceName(arg);
  let d: Digest | undefined;
  let note: string | undefined;
  if (arg === '-') {
    d = stdinDigest(ctx);
    if (!d) note = 'not hashed: stdin was not read through the hashing reader';
  } else {
    try {
      // hashed after reading; a pipe or device cannot be read twice
      if (!statSync(arg).isFile()) note = 'not hashed: not a regular file';
      else d = await sha256File(arg);
    } catch (err) {
      note = `not hashed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  }
  return { name, role, ...(d ? { bytes: d.bytes, sha256: d.sha256 } : {}), ...(note ? { note } : {}) };
}

const writer: ExportWriter = {
  output: 'dir',
  async run(records, opts, ctx) {
    const dir = opts.out!;
    const args = opts.args;
    const created = reportTime(args, process.env);
    const files = flowFiles(args);
    const allFlows = args['all-flows'] === true;
    prepareFolder(dir, args.force === true);
    const c = await collect(records, files, ctx);
    if (ctx.signal.aborted) {
      // a folder of part of the input would pass --verify while misleading whoever reads it
      ctx.diag.warn(`interrupted: no evidence written to ${dir}`);
      return 1;
    }

    // the flows to archive: those named by the events' evidence, or all given (once per id)
    const named = new Set<string>();
    for (const e of c.events) {
      const ids = e.rec.evidence?.flows;
      if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') named.add(id);
    }
    const seen = new Set<string>();
    const flows: Held[] = [];
    for (const f of c.flows) {
      const id = typeof f.rec.id === 'string' ? f.rec.id : undefined;
      if (id !== undefined) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      if (allFlows || (id !== undefined && named.has(id))) flows.push(f);
    }
    let missing = 0;
    for (const id of named) if (!seen.has(id)) missing++;
    if (c.others.length) ctx.diag.warn(`${c.others.length} records that are neither events nor flows are not archived`);

    const items = c.events.map((h, i) => timelineItem(h.rec, h.raw, i, undefined)).filter((x): x is TimelineItem => typeof x !== 'string');
    const timeline = orderTimeline(items, { sort: 'time' }).map((it) => it.raw + '\n').join('');

    let lo = Infinity;
    let hi = -Infinity;
    for (const h of [...c.events, ...flows]) {
      const s = timeMs(h.rec.start);
      const e = timeMs(h.rec.end);
      if (!Number.isNaN(s)) (lo = Math.min(lo, s)), (hi = Math.max(hi, s));
      if (!Number.isNaN(e)) hi = Math.max(hi, e);
    }

    const inputs: ManifestInput[] = [];
    for (const s of ctx.sources) inputs.push(await inputDigest(s, 'records', ctx));
    for (const f of files) inputs.push(await inputDigest(f, 'flows', ctx));

    const html = renderReport({
      events: c.events.map((h) => h.rec),
      flows: flows.map((h) => h.rec),
      others: c.others.length,
      generatedAt: created,
      title: reportTitle(args),
      sources: inputs.map((i) => i.name),
      version: VERSION,
    });

    const contents: [name: string, text: string, records?: number][] = [
      ['events.ndjson', ndjson(c.events), c.events.length],
      ['flows.ndjson', ndjson(flows), flows.length],
      ['timeline.ndjson', timeline, items.length],
      ['report.html', html],
    ];
    const listed: ManifestFile[] = [];
    for (const [name, text, n] of contents) {
      const buf = Buffer.from(text, 'utf8');
      writeFileSync(path.join(dir, name), buf);
      listed.push({ name, bytes: buf.length, sha256: sha256(buf), ...(n !== undefined ? { records: n } : {}) });
    }
    const byPriority: Record<string, number> = {};
    for (const p of PRIORITIES) byPriority[p] = 0;
    for (const e of c.events) if (typeof e.rec.priority === 'string' && e.rec.priority in byPriority) byPriority[e.rec.priority]++;
    const manifest = {
      format: MANIFEST_FORMAT,
      tool: { name: 'fir', version: VERSION },
      created,
      // as typed: the program by its name (`fir`), not the path node resolved it to
      command_line: ctx.argv.map((a, i) => (i === 0 ? path.basename(a) : a)),
      inputs,
      ...(lo <= hi ? { time_span: { start: isoTime(lo), end: isoTime(hi) } } : {}),
      counts: {
        events: c.events.length,
        events_by_priority: byPriority,
        flows_given: c.flows.length,
        flows_archived: flows.length,
        flow_ids_named_not_given: missing,
        other_records_not_archived: c.others.length,
        input_lines_skipped: ctx.diag.skipped,
      },
      flows: allFlows ? 'all flows given (--all-flows)' : "the flows named by the events' evidence.flows",
      files: listed,
    };
    const mtext = JSON.stringify(manifest, null, 2) + '\n';
    writeFileSync(path.join(dir, 'manifest.json'), mtext);
    const all = [...listed, { name: 'manifest.json', sha256: sha256(mtext) }].sort((a, b) => (a.name < b.name ? -1 : 1));
    const sums = all.map((f) => `${f.sha256}  ${f.name}\n`).join('');
    writeFileSync(path.join(dir, SUMS_FILE), sums);
    ctx.diag.info(`${dir}: ${c.events.length} events, ${flows.length} flows (${missing ? `${missing} named flows not given, ` : ''}${c.flows.length} given), ${all.length + 1} files; SHA-256 of ${SUMS_FILE}: ${sha256(sums)}`);
    return 0;
  },
};

export default writer;
