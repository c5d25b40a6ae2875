// Tables for a terminal, shared by the commands that print them (timeline, flows). Every cell
// goes through escapeControl, so a DNS name carrying escape sequences cannot paint or move the
// terminal; colour comes only from the painter, which is the identity when colour is off.
import Table from 'cli-table3';
import { escapeControl, type Paint } from '../term.js';
import { displayWidth } from './human.js';

export { displayWidth, humanBytes, humanCount, humanDuration } from './human.js';

export type Align = 'left' | 'right' | 'center';
/** A cell: text, a number, lines, nothing, or a drawing made to the column's final width (bars, sparklines). */
export type Cell = string | number | string[] | undefined | ((width: number) => string);

export interface Column {
  /** the header text */
  name: string;
  align?: Align;
  /** the column is never narrowed below this many characters (content wraps) */
  min?: number;
  /** the column is never wider than this (content wraps) */
  max?: number;
  /** free text that wraps well: narrowed only after the other columns */
  flex?: boolean;
}

export interface TableSpec {
  columns: Column[];
  /** cell values: strings (escaped here), numbers, lists (one item a line), or undefined for an empty cell */
  rows: Cell[][];
  /** terminal width in characters: the table is fitted into it */
  width: number;
  paint?: Paint;
  /** colour of a whole row (by priority, for instance), or undefined for none */
  rowColor?: (rowIndex: number) => string | undefined;
}

const CHARS = {
  top: '─', 'top-mid': '┬', 'top-left': '┌', 'top-right': '┐',
  bottom: '─', 'bottom-mid': '┴', 'bottom-left': '└', 'bottom-right': '┘',
  // no rule between rows: one line per row reads faster
  left: '│', 'left-mid': '', mid: '', 'mid-mid': '', right: '│', 'right-mid': '', middle: '│',
};

/**
 * Column widths (content plus one space of padding on each side) that fit `width`. Columns
 * keep their natural width when everything fits; otherwise the fixed columns are narrowed
 * first (widest first, down to their minimum), then the flexible ones (free text that wraps
 * well), and last, if the terminal is narrower still, everything down to 4.
 */
export function fitWidths(natural: number[], mins: number[], width: number, flex: boolean[] = []): number[] {
  const w = natural.slice();
  let total = w.reduce((a, b) => a + b, 0) + w.length + 1;
  const shrink = (eligible: (i: number) => boolean, floor: (i: number) => number) => {
    while (total > width) {
      let widest = -1;
      for (let i = 0; i < w.length; i++) if (eligible(i) && w[i] > floor(i) && (widest < 0 || w[i] > w[widest])) widest = i;
      if (widest < 0) return;
      w[widest]--;
      total--;
    }
  };
  shrink((i) => !flex[i], (i) => mins[i]);
  shrink((i) => !!flex[i], (i) => mins[i]);
  shrink(() => true, () => 4);
  return w;
}

/** Render a table as text (no final newline) fitted to the width. */
export function renderTable(spec: TableSpec): string {
  const paint = spec.paint ?? ((_c: string, s: string) => s);
  const cols = spec.columns;
  // escape first, so only our own line breaks survive
  const cells = spec.rows.map((r) => cols.map((_, i) => {
    const v = r[i];
    if (typeof v === 'function') return '';
    return v === undefined ? '' : Array.isArray(v) ? v.map((x) => escapeControl(x)).join('\n') : escapeControl(String(v));
  }));
  // drawings ask for the column's widest allowance and get what is left after fitting
  const drawn = cols.map((_, i) => spec.rows.some((r) => typeof r[i] === 'function'));
  const natural = cols.map((c, i) => {
    let m = displayWidth(c.name);
    for (const row of cells) {
      // a wrapped cell is as wide as its longest line
      for (const part of row[i].split('\n')) m = Math.max(m, displayWidth(part));
    }
    if (drawn[i]) m = Math.max(m, c.max ?? 12);
    if (c.max !== undefined) m = Math.min(m, c.max);
    return m + 2;
  });
  const mins = cols.map((c, i) => Math.min(natural[i], Math.max(4, (c.min ?? 6) + 2)));
  const widths = fitWidths(natural, mins, spec.width, cols.map((c) => !!c.flex));
  // cells are wrapped here (cli-table3's own wrapping counts colour codes as text)
  const table = new Table({
    head: cols.map((c, i) => wrapText(escapeControl(c.name), widths[i] - 2).split('\n').map((l) => paint('bold', l)).join('\n')),
    colWidths: widths,
    colAligns: cols.map((c) => c.align ?? 'left'),
    wordWrap: false,
    chars: CHARS,
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
  });
  for (let r = 0; r < cells.length; r++) {
    const color = spec.rowColor?.(r);
    const row = cells[r].map((c, i) => {
      const v = spec.rows[r][i];
      return typeof v === 'function' ? v(widths[i] - 2) : wrapText(c, widths[i] - 2);
    });
    table.push(color ? row.map((c) => (c === '' ? c : c.split('\n').map((l) => paint(color, l)).join('\n'))) : row);
  }
  return table.toString();
}

/**
 * Wrap each line of a cell to `w` display cells: at spaces where it can, and hard inside a word
 * longer than the width (a long DNS name is shown whole, never cut off).
 */
export function wrapText(text: string, w: number): string {
  if (w < 1) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (displayWidth(line) <= w) {
      out.push(line);
      continue;
    }
    let cur = '';
    let curW = 0;
    for (const word of line.split(/(?<= )/)) {
      const ww = displayWidth(word);
      if (curW + ww <= w || (word === ' ' && curW + 1 <= w)) {
        cur += word;
        curW += ww;
        continue;
      }
      if (cur.trimEnd()) out.push(cur.trimEnd());
      cur = '';
      curW = 0;
      for (const ch of word) {
        const cw = displayWidth(ch);
        if (curW + cw > w) {
          out.push(cur);
          cur = '';
          curW = 0;
        }
        cur += ch;
        curW += cw;
      }
    }
    if (cur.trimEnd() || out.length === 0) out.push(cur.trimEnd());
  }
  return out.join('\n');
}
