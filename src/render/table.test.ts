import { describe, expect, it } from 'vitest';
import { displayWidth, humanBytes, humanCount, humanDuration } from './human.js';
import { painter } from '../term.js';
import { fitWidths, renderTable, wrapText } from './table.js';

describe('fitWidths', () => {
  it('keeps natural widths when they fit', () => {
    expect(fitWidths([10, 20], [5, 5], 80)).toEqual([10, 20]);
  });
  it('narrows fixed columns first, then flexible ones, to fit the width', () => {
    const w = fitWidths([20, 20, 60], [10, 10, 10], 80, [false, false, true]);
    expect(w.reduce((a, b) => a + b, 0) + 4).toBe(80);
    expect(w[0]).toBeLessThan(20);
    const w2 = fitWidths([12, 12, 60], [10, 10, 10], 50, [false, false, true]);
    expect(w2.slice(0, 2)).toEqual([10, 10]);
    expect(w2[2]).toBe(26);
  });
});

describe('renderTable', () => {
  it('escapes control characters and ANSI escapes in every cell and fits the width', () => {
    const out = renderTable({
      columns: [{ name: 'name\u001b[1m' }, { name: 'flows', align: 'right' }],
      rows: [['evil\u001b[31m.example\r\n.com\u0007', 3], [['line one', 'line\u001b]0;two'], undefined]],
      width: 30,
    });
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(out).toContain('\\x1b');
    for (const line of out.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    expect(out.replace(/[│\s]/g, '')).toContain('evil\\x1b[31m.exa');
  });
  it('paints rows only through the painter', () => {
    const plain = renderTable({ columns: [{ name: 'p' }], rows: [['critical']], width: 40 });
    expect(plain).not.toContain('\u001b');
    const painted = renderTable({ columns: [{ name: 'p' }], rows: [['critical']], width: 40, paint: painter(true), rowColor: () => 'red' });
    expect(painted).toContain('\u001b[31mcritical\u001b[0m');
  });
});

describe('wrapText', () => {
  it('wraps at spaces and breaks words longer than the width, losing nothing', () => {
    const t = 'averyveryverylongdnsname.example.com and words';
    const w = wrapText(t, 10);
    for (const l of w.split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(10);
    expect(w.replace(/\n/g, '').replace(/ /g, '')).toBe(t.replace(/ /g, ''));
  });
});

describe('human numbers', () => {
  it('reads well', () => {
    expect(humanCount(999)).toBe('999');
    expect(humanCount(1234)).toBe('1.2k');
    expect(humanCount(2_500_000)).toBe('2.5M');
    expect(humanBytes(512)).toBe('512 B');
    expect(humanBytes(1536)).toBe('1.5 KiB');
    expect(humanDuration(65_000)).toBe('1m05s');
    expect(humanDuration(60_000)).toBe('1m');
    expect(humanDuration(7_200_000)).toBe('2h');
    expect(displayWidth('日本')).toBe(4);
  });
});
