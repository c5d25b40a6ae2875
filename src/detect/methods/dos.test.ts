import { describe, expect, it } from 'vitest';
import { flow, only, run, session, synProbe } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';

const ATT = '192.168.1.100';
const GW = '192.168.1.1';

/** hping3 -S: each SYN its own flow, answered with a SYN-ACK that the flooder's kernel resets */
function synFlood(from: number, n: number, perS: number, src: string | ((i: number) => string), dst = GW, dport = 80): Flow[] {
  const out: Flow[] = [];
  for (let i = 0; i < n; i++) {
    const s = typeof src === 'string' ? src : src(i);
    out.push(flow({ at: from + i / perS, src: s, dst, sport: 1024 + (i % 60000), dport, proto: 'tcp', pkts: 2, bytes: 84, flags: 'RS', rpkts: 1, rbytes: 44, rflags: 'AS', state: 'RSTO' }));
  }
  return out;
}

describe('DOS', () => {
  it('SYNFLOOD: one source, many half-open attempts on one port, with the numbers', () => {
    const ev = only(run(synFlood(10, 3000, 1150, ATT)), 'DOS');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ method: 'DOS', submethod: 'SYNFLOOD', src: ATT, targets: [GW], ports: [80], proto: 'tcp', priority: 'high', attack: { tactic: 'impact', technique: 'T1499.001' } });
    expect(ev[0]!.evidence).toMatchObject({ half_open: 3000, syns: 3000, completed: 0, source_count: 1 });
    expect(ev[0]!.detail).toMatch(/192\.168\.1\.1 received 3000 half-open TCP connection attempts .* from 192\.168\.1\.100: a SYN flood/);
    expect((ev[0]!.evidence as { flows: string[] }).flows.length).toBe(20);
  });

  it('SYNFLOOD from many spoofed sources: the count and the top sources are said', () => {
    const ev = only(run(synFlood(10, 4000, 2000, (i) => `203.0.${(i >> 8) & 255}.${i & 255}`)), 'DOS', 'SYNFLOOD');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.targets).toEqual([GW]);
    expect(ev[0]!.evidence).toMatchObject({ source_count: 4000 });
    expect(ev[0]!.detail).toMatch(/from 4000 sources \(most from/);
  });

  it('near miss: a busy web server with many clients completing their handshakes is no SYN flood', () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 5000; i++) flows.push(session(i * 0.002, `10.1.${(i >> 8) & 255}.${i & 255}`, '10.0.0.80', 443, 12, 1500, 0.3));
    expect(only(run(flows), 'DOS')).toEqual([]);
  });

  it('near miss: a fast vertical port scan is SCANS, not a SYN flood', () => {
    const flows: Flow[] = [];
    for (let p = 1; p <= 1000; p++) flows.push(synProbe(p * 0.002, ATT, GW, p, 'rst'));
    const ev = run(flows);
    expect(only(ev, 'DOS')).toEqual([]);
    expect(only(ev, 'SCANS', 'TCPSYN')).toHaveLength(1);
  });

  it('near miss: below the rate (a slow trickle of failed connections) stays quiet', () => {
    expect(only(run(synFlood(0, 600, 20, ATT)), 'DOS')).toEqual([]);
  });

  it("a target that usually gets many half-open attempts needs usual_factor times its usual", () => {
    // 4 earlier windows with 600 half-open each (a load balancer's health checks, say), then 1000
    const flows = [...synFlood(0, 600, 100, ATT), ...synFlood(20, 600, 100, ATT), ...synFlood(40, 600, 100, ATT), ...synFlood(60, 600, 100, ATT), ...synFlood(80, 1000, 200, ATT)];
    expect(only(run(flows, { config: { methods: { DOS: { syn_min_attempts: 500 } } } }), 'DOS')).toHaveLength(1); // the first windows are floods by themselves
    // with a higher floor the early windows are the usual, and 1000 is not 10x that
    expect(only(run(flows, { config: { methods: { DOS: { syn_min_attempts: 900 } } } }), 'DOS')).toEqual([]);
  });

  it('VOLUMETRIC: a UDP flood the target does not answer', () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 20; i++) flows.push(flow({ at: i * 0.5, dur: 0.5, proto: 'udp', src: ATT, dst: '10.0.0.9', sport: 5000 + i, dport: 9999, pkts: 6000, bytes: 6000 * 540, rpkts: 0, rbytes: 0 }));
    const ev = only(run(flows), 'DOS', 'VOLUMETRIC');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ src: ATT, targets: ['10.0.0.9'], priority: 'high' });
    expect(ev[0]!.evidence).toMatchObject({ answered_pkts: 0 });
    expect((ev[0]!.evidence as { pkts: number }).pkts).toBeGreaterThanOrEqual(50000);
  });

  it('near miss: a big backup to a server that acknowledges it is not volumetric', () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 20; i++) flows.push(flow({ at: i * 0.5, dur: 0.5, proto: 'tcp', src: '10.0.0.5', dst: '10.0.0.9', sport: 40000, dport: 873, pkts: 6000, bytes: 6000 * 1500, rpkts: 3000, rbytes: 3000 * 52, flags: 'AP', rflags: 'AP' }));
    expect(only(run(flows), 'DOS')).toEqual([]);
  });
});
