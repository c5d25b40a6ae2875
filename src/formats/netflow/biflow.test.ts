import { describe, expect, it } from 'vitest';
import type { Flow } from '../../record.js';
import { BiflowPairer, merge, zeekState } from './biflow.js';

const flow = (o: Partial<Flow>): Flow => ({ kind: 'flow', start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:00:01.000Z', proto: 'tcp', pkts: 1, bytes: 40, id: o.src ?? 'x', ...o }) as Flow;

describe('zeekState', () => {
  it('names the states of a handshake, a rejection, a teardown and an unanswered SYN', () => {
    expect(zeekState(6, 0x02, 0, 0)).toBe('S0');
    expect(zeekState(6, 0x02, 0x14, 1)).toBe('REJ');
    expect(zeekState(6, 0x1b, 0x1b, 5)).toBe('SF');
    expect(zeekState(6, 0x16, 0x12, 3)).toBe('RSTO');
    expect(zeekState(6, 0x12, 0x16, 3)).toBe('RSTR');
    expect(zeekState(6, 0x12, 0x12, 3)).toBe('S1');
    expect(zeekState(17, 0, 0, 1)).toBe('SF');
    expect(zeekState(1, 0, 0, 1)).toBe('OTH');
  });
});

describe('BiflowPairer', () => {
  it('pairs the reverse direction with overlapping time; the earlier start is the originator', () => {
    const p = new BiflowPairer();
    const resp = flow({ src: '10.0.0.2', sport: 22, dst: '10.0.0.1', dport: 40000, start: '2026-11-27T10:00:00.100Z', pkts: 22, bytes: 4185, flags: 'APSF' });
    const orig = flow({ src: '10.0.0.1', sport: 40000, dst: '10.0.0.2', dport: 22, start: '2026-11-27T10:00:00.000Z', pkts: 24, bytes: 3290, flags: 'APSF', smac: '00:00:00:00:00:01' });
    expect(p.add(resp)).toEqual([]);
    const [m] = p.add(orig);
    expect(m).toMatchObject({ src: '10.0.0.1', sport: 40000, dst: '10.0.0.2', dport: 22, pkts: 24, bytes: 3290, rpkts: 22, rbytes: 4185, flags: 'APSF', rflags: 'APSF', state: 'SF', start: '2026-11-27T10:00:00.000Z', smac: '00:00:00:00:00:01' });
    expect(p.size).toBe(0);
  });

  it('does not pair directions far apart in time, and lets unpaired records out unchanged', () => {
    const p = new BiflowPairer();
    p.add(flow({ src: 'a', sport: 1, dst: 'b', dport: 2 }));
    expect(p.add(flow({ src: 'b', sport: 2, dst: 'a', dport: 1, start: '2026-11-27T11:00:00.000Z', end: '2026-11-27T11:00:00.000Z' }))).toEqual([]);
    const rest = p.flush();
    expect(rest).toHaveLength(2);
    expect(rest[0].rpkts).toBeUndefined();
  });

  it('pairs ICMP echo request and reply', () => {
    const p = new BiflowPairer();
    p.add(flow({ proto: 'icmp', src: 'a', dst: 'b', icmp_type: 8, icmp_code: 0 }));
    const [m] = p.add(flow({ proto: 'icmp', src: 'b', dst: 'a', icmp_type: 0, icmp_code: 0, start: '2026-11-27T10:00:00.001Z' }));
    expect(m).toMatchObject({ src: 'a', icmp_type: 8, rpkts: 1, state: 'OTH' });
  });

  it('is bounded: the oldest unpaired record goes out first', () => {
    const p = new BiflowPairer({ maxHeld: 3 });
    const out: Flow[] = [];
    for (let i = 0; i < 10; i++) out.push(...p.add(flow({ src: 'a', sport: i, dst: 'b', dport: 80 })));
    expect(out.map((f) => f.sport)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(p.size).toBe(3);
  });

  it('flushes records held since before a cutoff (the live collector)', () => {
    const p = new BiflowPairer();
    p.add(flow({ src: 'a', sport: 1, dst: 'b', dport: 2 }), 1000);
    p.add(flow({ src: 'a', sport: 3, dst: 'b', dport: 2 }), 5000);
    expect(p.flushOlder(2000).map((f) => f.sport)).toEqual([1]);
    expect(p.size).toBe(1);
  });

  it('breaks a tie in start time by the SYN side', () => {
    const a = flow({ src: 'b', sport: 22, dst: 'a', dport: 5000, flags: 'AS' });
    const b = flow({ src: 'a', sport: 5000, dst: 'b', dport: 22, flags: 'S' });
    expect(merge(a, 0, b, 0)).toMatchObject({ src: 'a', dport: 22, flags: 'S', rflags: 'AS' });
  });
});
