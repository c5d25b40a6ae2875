// --format csv: RFC 4180 (CRLF line ends, fields with `"` `,` CR or LF quoted, quotes doubled).
// The header must come first, so by default the columns are the contract's fields for the
// kind of the first record plus `extra`, a JSON object of whatever else the record carries
// (nothing is lost, memory stays bounded). `--columns LIST` picks the columns; `--columns all`
// reads everything first and uses the union of the fields seen (memory grows with the input).
// A text cell that a spreadsheet would run as a formula gets a leading `'`.
import { Columns, EXTRA, KIND_COLUMNS, cellText, fieldPaths } from './flatten.js';
import { writeLines } from './sink.js';
import type { ExportSink, ExportWriter } from './types.js';
import type { InputRecord } from '../io.js';

/** One CSV field: quoted when needed, formula starters neutralised (text values only). */
export function csvCell(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return String(v);
  let s = cellText(v);
  if (s.length === 0) return s;
  if (typeof v !== 'number' && typeof v !== 'boolean') {
    const c = s.charCodeAt(0);
    // = + - @ TAB CR: spreadsheets evaluate these (OWASP CSV injection)
    if (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) s = "'" + s;
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 44 || c === 10 || c === 13) return '"' + s.replace(/"/g, '""') + '"';
  }
  return s;
}

export function csvRow(values: unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i) line += ',';
    line += csvCell(values[i]);
  }
  return line;
}

/** The default column set for a record's kind. */
export function defaultColumns(kind: unknown): string[] {
  const base = typeof kind === 'string' ? KIND_COLUMNS[kind] : undefined;
  return [...(base ?? ['kind']), EXTRA];
}

async function writeRows(out: ExportSink, eol: string, cols: Columns, rows: Iterable<Record<string, unknown>>): Promise<void> {
  for (const rec of rows) {
    const p = out.text(cols.line(rec, ',', csvCell) + eol);
    if (p) await p;
  }
}

const writer: ExportWriter = {
  output: 'stream',
  async run(records, opts, ctx) {
    const out = ctx.out;
    const eol = out.isTTY ? '\n' : '\r\n';
    const wanted = opts.columns;
    if (wanted && wanted.length === 1 && wanted[0] === 'all') {
      // the union of fields needs every record first: memory grows with the input
      const all: Record<string, unknown>[] = [];
      const names = new Set<string>();
      for await (const batch of records) for (const r of batch as InputRecord[]) {
        all.push(r.rec);
        fieldPaths(r.rec, names);
      }
      const cols = new Columns([...names]);
      const p = out.text(csvRow(cols.names) + eol);
      if (p) await p;
      await writeRows(out, eol, cols, all);
      return 0;
    }
    let cols: Columns | undefined = wanted && wanted.length ? new Columns(wanted) : undefined;
    if (cols) {
      const p = out.text(csvRow(cols.names) + eol);
      if (p) await p;
    }
    await writeLines(
      records,
      ctx,
      (item) => {
        if (cols) return cols.line(item.rec, ',', csvCell);
        // without --columns, the columns of the first record's kind, the header first
        cols = new Columns(defaultColumns(item.rec.kind));
        return csvRow(cols.names) + eol + cols.line(item.rec, ',', csvCell);
      },
      eol,
    );
    if (!cols) {
      // no records: still a header, for the kind a reader most likely expects
      const p = out.text(csvRow(defaultColumns('event')) + eol);
      if (p) await p;
    }
    return 0;
  },
};

export default writer;
