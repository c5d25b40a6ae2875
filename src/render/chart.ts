// Terminal charts, where people would rather look than read: a sparkline of a time series
// squeezed to the width, and horizontal bars with eighth-block resolution.
import { escapeControl, sparkline, type Paint } from '../term.js';
import { displayWidth } from './human.js';

/** Sum values into at most `width` buckets, so a long series fits one line. */
export function squeeze(values: number[], width: number): number[] {
  if (values.length <= width) return values.slice();
  const out = new Array<number>(width).fill(0);
  for (let i = 0; i < values.length; i++) out[Math.floor((i * width) / values.length)] += values[i];
  return out;
}

/** A sparkline fitted to `width` characters (values summed into buckets when longer). */
export function sparklineFit(values: number[], width: number): string {
  return sparkline(squeeze(values, Math.max(1, width)));
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `value / max` of `width` cells, in eighths of a cell. */
export function bar(value: number, max: number, width: number): string {
  if (!(max > 0) || !(value > 0) || width <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

export interface BarRow {
  label: string;
  value: number;
  /** shown after the bar (the value for people); defaults to the value */
  text?: string;
}

/**
 * Horizontal bars, one line per row: `label │████▍ text`. Labels are escaped (they may come
 * from the network) and cut to a third of the width.
 */
export function barChart(rows: BarRow[], width: number, paint: Paint = (_c, s) => s, color = 'cyan'): string {
  if (rows.length === 0) return '';
  const labels = rows.map((r) => escapeControl(r.label));
  const texts = rows.map((r) => r.text ?? String(r.value));
  const labelW = Math.min(Math.max(...labels.map(displayWidth)), Math.max(8, Math.floor(width / 3)));
  const textW = Math.max(...texts.map(displayWidth));
  const barW = Math.max(4, width - labelW - textW - 4);
  const max = Math.max(0, ...rows.map((r) => r.value));
  return rows
    .map((r, i) => {
      const label = fitText(labels[i], labelW);
      const b = bar(r.value, max, barW);
      return `${label} │${paint(color, b)}${' '.repeat(Math.max(0, barW - displayWidth(b)))} ${texts[i].padStart(textW)}`;
    })
    .join('\n');
}

/** Pad or cut (with …) a text to exactly `w` display cells. */
export function fitText(s: string, w: number): string {
  const dw = displayWidth(s);
  if (dw <= w) return s + ' '.repeat(w - dw);
  let out = '';
  let used = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (used + cw > w - 1) break;
    out += ch;
    used += cw;
  }
  return out + '…' + ' '.repeat(Math.max(0, w - used - 1));
}

/**
 * A time series chart for a terminal: a title line, the sparkline, and an axis line with the
 * first and last times under its ends.
 */
export function timeChart(title: string, values: number[], firstLabel: string, lastLabel: string, width: number, paint: Paint = (_c, s) => s): string {
  const w = Math.max(10, Math.min(width, values.length));
  const line = sparklineFit(values, w);
  const gap = Math.max(1, displayWidth(line) - firstLabel.length - lastLabel.length);
  return `${escapeControl(title)}\n${paint('cyan', line)}\n${firstLabel}${' '.repeat(gap)}${lastLabel}`;
}
