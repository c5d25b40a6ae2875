import { describe, expect, it } from 'vitest';
import { flow, only, run, session } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';
import { beaconScore, beats, bowleySkew, madm } from './beacon.js';
import { METHOD_DEFAULTS } from '../config.js';

const H = '192.168.1.20';
const C2 = '203.0.113.50';

let seed = 99;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) / (0x7fffffff >> 8);

/** a check-in every `period` s ± `jitter` s, `n` times, each a small answered HTTPS request */
function beaconFlows(n: number, period: number, jitter: number, opts: { src?: string; dst?: string; dport?: number; bytes?: () => number; answered?: boolean } = {}): Flow[] {
  const out: Flow[] = [];
  let t = 5;
  for (let i = 0; i < n; i++) {
    const b = opts.bytes ? opts.bytes() : 620;
    if (opts.answered === false) out.push(flow({ at: t, src: opts.src ?? H, dst: opts.dst ?? C2, sport: 40000 + i, dport: opts.dport ?? 443, pkts: 1, bytes: 60, flags: 'S', rpkts: 0, rbytes: 0, state: 'S0' }));
    else out.push(session(t, opts.src ?? H, opts.dst ?? C2, opts.dport ?? 443, 8, b, 0.2, { rbytes: 900 }));
    t += period + (rnd() * 2 - 1) * jitter;
  }
  return out;
}

describe('BEACON', () => {
  it('statistics: Bowley skewness and MADM', () => {
    expect(bowleySkew([10, 10, 10, 10])).toBe(0);
    expect(bowleySkew([1, 2, 3, 4, 5])).toBe(0);
    expect(bowleySkew([1, 1.1, 1.2, 10, 30])).toBeGreaterThan(0.5);
    expect(madm([4, 4, 4, 5, 100])).toEqual({ median: 4, madm: 0 });
    expect(madm([1, 2, 3, 4, 5]).madm).toBe(1);
  });

  it('beats: disorder is sorted out, bursts fold into one beat', () => {
    const t0 = Date.UTC(2026, 10, 27);
    const b = beats([t0 + 8000, t0, t0 + 4000, t0 + 4300, t0 + 12000], [5, 1, 2, 3, 4], 1000);
    expect(b.times.map((t) => t - t0)).toEqual([0, 4000, 8000, 12000]);
    expect(b.sizes).toEqual([1, 2, 5, 4]);
  });

  it('a perfect beacon scores 1 in every part', () => {
    const times = Array.from({ length: 30 }, (_, i) => i * 60_000);
    const sc = beaconScore(times, times.map(() => 300), 29 * 60_000, METHOD_DEFAULTS.BEACON);
    expect(sc.timing).toBe(1);
    expect(sc.score).toBeGreaterThan(0.99);
  });

  it('finds a jittered check-in, with the score and its parts in the evidence', () => {
    const ev = only(run(beaconFlows(40, 60, 6)), 'BEACON');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'PERIODIC', src: H, targets: [C2], ports: [443], proto: 'tcp', priority: 'medium', attack: { tactic: 'command-and-control' } });
    const e = ev[0]!.evidence as Record<string, number>;
    expect(e.connections).toBe(40);
    expect(e.score).toBeGreaterThanOrEqual(0.8);
    for (const k of ['timing', 'size', 'ts_skew', 'ts_madm_s', 'median_interval_s', 'coverage', 'ds_skew', 'ds_madm_bytes', 'mode_bytes', 'observed_s']) expect(e).toHaveProperty(k);
    expect(e.median_interval_s).toBeGreaterThan(54);
    expect(e.median_interval_s).toBeLessThan(66);
    expect(ev[0]!.detail).toMatch(/connected to 203\.0\.113\.50:443 40 times .* beacon score 0\.\d+/);
  });

  it('the failed-connection pitfall: unanswered retries every 60 s are not a beacon', () => {
    expect(only(run(beaconFlows(40, 60, 0, { answered: false })), 'BEACON')).toEqual([]);
  });

  it('near miss: NTP every 64 s is periodic infrastructure, suppressed by ignore_ports', () => {
    const ntp: Flow[] = [];
    for (let i = 0; i < 60; i++) ntp.push(flow({ at: i * 64, proto: 'udp', src: H, dst: '162.159.200.1', sport: 123, dport: 123, pkts: 1, bytes: 76, rpkts: 1, rbytes: 76, app: 'ntp' }));
    expect(only(run(ntp), 'BEACON')).toEqual([]);
    // it is periodic: without the suppression it would be reported
    expect(only(run(ntp, { config: { methods: { BEACON: { ignore_ports: [] } } } }), 'BEACON')).toHaveLength(1);
  });

  it('near miss: a human browsing one site (irregular gaps, bursts, pages of every size)', () => {
    const flows: Flow[] = [];
    let t = 0;
    for (let i = 0; i < 80; i++) {
      const burst = 1 + Math.floor(rnd() * 4);
      for (let b = 0; b < burst; b++) flows.push(session(t + b * 0.05, H, '198.51.100.80', 443, 10, 300 + Math.floor(rnd() * 1500), 0.5, { rbytes: Math.floor(2000 + rnd() * 200000) }));
      t += rnd() < 0.8 ? -Math.log(1 - rnd()) * 8 + 1 : 20 + rnd() * 100;
    }
    const ev = only(run(flows), 'BEACON');
    expect(ev).toEqual([]);
  });

  it('near miss: too few connections, and peers on the LAN (unless local_peers)', () => {
    expect(only(run(beaconFlows(10, 60, 1)), 'BEACON')).toEqual([]);
    const lan = beaconFlows(40, 30, 1, { dst: '192.168.1.10', dport: 8080 });
    expect(only(run(lan), 'BEACON')).toEqual([]);
    expect(only(run(lan, { config: { methods: { BEACON: { local_peers: true } } } }), 'BEACON')).toHaveLength(1);
    // with --local-nets the LAN is what they say: 10.77.0.2 outside 10.77.0.1/32 is an outside peer
    expect(only(run(beaconFlows(30, 4, 0.8, { src: '10.77.0.1', dst: '10.77.0.2', dport: 8000 }), { config: { local_nets: ['10.77.0.1/32'] } }), 'BEACON')).toHaveLength(1);
  });

  it('sizes that vary widely lower the score below the threshold', () => {
    const ev = only(run(beaconFlows(40, 60, 20, { bytes: () => 200 + Math.floor(rnd() * 60000) })), 'BEACON');
    expect(ev).toEqual([]);
  });
});
