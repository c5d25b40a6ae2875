import { describe, expect, it } from 'vitest';
import { orderTimeline, timelineItem, timelineRow, type TimelineItem } from './timeline.js';

const ev = (id: string, start: string, end: string, priority: string, src: string) => ({ kind: 'event', id, start: `2026-11-27T${start}Z`, end: `2026-11-27T${end}Z`, priority, src, method: 'SCANS' });

function items(recs: Record<string, unknown>[], by?: 'src' | 'method'): TimelineItem[] {
  return recs.map((r, i) => timelineItem(r, String(r.id), i, by) as TimelineItem);
}

describe('orderTimeline', () => {
  const recs = [
    ev('c', '10:00:05.000', '10:00:09.000', 'low', '10.0.0.2'),
    ev('a', '10:00:01.000', '10:00:02.000', 'high', '10.0.0.1'),
    ev('b', '10:00:05.000', '10:00:06.000', 'critical', '10.0.0.1'),
    ev('d', '10:00:05.000', '10:00:06.000', 'high', '10.0.0.2'),
  ];
  it('sorts by start, then end, then input order (stable)', () => {
    expect(orderTimeline(items(recs)).map((i) => i.raw)).toEqual(['a', 'b', 'd', 'c']);
  });
  it('puts the most severe first for triage, then time', () => {
    expect(orderTimeline(items(recs), { sort: 'priority' }).map((i) => i.raw)).toEqual(['b', 'a', 'd', 'c']);
  });
  it('keeps each actor together, actors by their first record', () => {
    expect(orderTimeline(items(recs, 'src'), { by: 'src' }).map((i) => i.raw)).toEqual(['a', 'b', 'd', 'c']);
    const late = [ev('x', '10:00:09.000', '10:00:09.000', 'low', '10.0.0.9'), ...recs, ev('y', '10:00:00.000', '10:00:00.000', 'low', '10.0.0.2')];
    expect(orderTimeline(items(late, 'src'), { by: 'src' }).map((i) => i.raw)).toEqual(['y', 'd', 'c', 'a', 'b', 'x']);
  });
  it('refuses records without a usable start', () => {
    expect(timelineItem({ kind: 'event' }, '', 0, undefined)).toMatch(/no start/);
    expect(timelineItem({ start: 'soon' }, '', 0, undefined)).toMatch(/not an ISO/);
  });
});

describe('timelineRow', () => {
  it('shows an event and a flow in one row each', () => {
    const r = timelineRow({ ...ev('a', '10:00:01.000', '10:00:03.500', 'high', '10.0.0.1'), submethod: 'TCPSYN', targets: ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'], target_count: 9, detail: 'd' });
    expect(r).toMatchObject({ priority: 'high', what: 'SCANS/TCPSYN', src: '10.0.0.1', duration: 2500, detail: 'd' });
    expect(r.targets).toBe('10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5 (+5)');
    const f = timelineRow({ kind: 'flow', start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:00:00.000Z', proto: 'udp', src: '2001:db8::1', sport: 5353, dst: '10.0.0.1', dport: 53, pkts: 1, bytes: 70, app: 'dns', dns: { qname: 'x.example' } });
    expect(f).toMatchObject({ what: 'flow udp', src: '[2001:db8::1]:5353', targets: '10.0.0.1:53' });
    expect(f.detail).toBe('1/- pkts, 70/- bytes, dns x.example');
  });
});
