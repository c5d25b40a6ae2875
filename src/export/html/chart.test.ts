import { describe, expect, it } from 'vitest';
import { chooseBinMs, trafficChart } from './chart.js';

const T0 = Date.parse('2026-11-28T08:15:00.000Z');

describe('chooseBinMs', () => {
  it('picks the smallest round width giving at most 60 bins', () => {
    expect(chooseBinMs(0)).toBe(1000);
    expect(chooseBinMs(60_000)).toBe(1000);
    expect(chooseBinMs(6 * 60_000)).toBe(10_000);
    expect(chooseBinMs(3600_000)).toBe(60_000);
    expect(chooseBinMs(7 * 86400_000)).toBe(3 * 3600_000);
  });
});

describe('trafficChart', () => {
  const svg = trafficChart({
    title: '10.0.0.1 <bytes>',
    unit: 'bytes',
    bins: [
      { t: T0, value: 2048 },
      { t: T0 + 10_000, value: 0 },
      { t: T0 + 20_000, value: 600_000 },
    ],
    binMs: 10_000,
    from: T0,
    to: T0 + 60_000,
    marks: [{ start: T0 + 5000, end: T0 + 25_000, priority: 'critical', label: 'SSHDICT/SUCCESS <x>' }],
  });
  it('is one svg element with a title, escaped', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>10.0.0.1 &lt;bytes&gt;: bytes per 10s</title>');
    expect(svg).not.toContain('<x>');
  });
  it('draws a bar per non-empty bin, the event band, and labelled axes', () => {
    expect(svg.match(/fill="#2f6db3"/g)).toHaveLength(2);
    expect(svg).toContain('fill="#b42318" fill-opacity="0.09"');
    expect(svg).toContain('fill="#b42318" fill-opacity="0.85"');
    expect(svg).toContain('>08:15:00<');
    expect(svg).toContain('>08:16:00<');
    expect(svg).toContain('>0 B<');
    expect(svg).toContain('KiB<');
    expect(svg).toContain('time (UTC), 10s bins');
  });
  it('copes with an empty series and a zero-length span', () => {
    const s = trafficChart({ title: 'x', unit: 'flows', bins: [], binMs: 1000, from: T0, to: T0, marks: [] });
    expect(s).toContain('</svg>');
    expect(s).not.toContain('NaN');
  });
});
