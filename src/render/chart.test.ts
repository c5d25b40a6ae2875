import { describe, expect, it } from 'vitest';
import { bar, barChart, sparklineFit, squeeze, timeChart } from './chart.js';

describe('charts', () => {
  it('squeezes a long series into the width, keeping the sum', () => {
    const v = Array.from({ length: 100 }, (_, i) => i);
    const s = squeeze(v, 10);
    expect(s.length).toBe(10);
    expect(s.reduce((a, b) => a + b, 0)).toBe(4950);
    expect(sparklineFit(v, 10).length).toBe(10);
  });
  it('draws bars in eighths, never empty for a non-zero value', () => {
    expect(bar(10, 10, 4)).toBe('████');
    expect(bar(5, 10, 4)).toBe('██');
    expect(bar(1, 1000, 4)).toBe('▏');
    expect(bar(0, 10, 4)).toBe('');
  });
  it('escapes labels from the network', () => {
    const out = barChart([{ label: 'x\u001b[2Jy', value: 3 }, { label: 'z', value: 1 }], 40);
    expect(out).not.toContain('\u001b');
    expect(out).toContain('x\\x1b[2Jy');
    expect(out.split('\n').length).toBe(2);
  });
  it('labels a time chart at both ends', () => {
    const c = timeChart('flows per 1m', [1, 5, 3], '10:00', '10:03', 40);
    expect(c.split('\n')).toEqual(['flows per 1m', expect.stringMatching(/^[▁-█ ]+$/), expect.stringMatching(/^10:00 +10:03$/)]);
  });
});
