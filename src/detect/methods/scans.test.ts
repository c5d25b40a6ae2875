import { describe, expect, it } from 'vitest';
import { arpRequest, flow, only, run as runAll, session, synProbe } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';
import { detectArray } from '../../core/detect.js';

// this file's methods only: the other methods have their own tests
const run: typeof runAll = (flows, opts = {}) => runAll(flows, { methods: ['SCANS'], ...opts });

const ATT = '192.168.1.100';

describe('SCANS', () => {
  it('finds a vertical SYN scan of one host, with the numbers', () => {
    const flows: Flow[] = [];
    for (let p = 1; p <= 200; p++) flows.push(synProbe(p * 0.01, ATT, '192.168.1.225', p, p === 22 ? 'synack' : 'rst'));
    const ev = run(flows);
    expect(ev).toHaveLength(1);
    const e = ev[0]!;
    expect(e).toMatchObject({ kind: 'event', method: 'SCANS', submethod: 'TCPSYN', src: ATT, targets: ['192.168.1.225'], priority: 'medium', proto: 'tcp' });
    expect(e.evidence).toMatchObject({ scan: 'vertical', distinct_ports: 200, distinct_targets: 1, rejected: 199, answered: 1, probes: 200 });
    expect(e.ports).toHaveLength(100);
    expect(e.port_count).toBe(200);
    expect(e.evidence.flows).toHaveLength(20);
    expect(e.attack).toEqual({ tactic: 'discovery', technique: 'T1046' });
    expect(e.detail).toMatch(/200 ports of 192\.168\.1\.225/);
  });

  it('finds a horizontal scan (one port, many hosts, unanswered)', () => {
    const flows: Flow[] = [];
    for (let h = 1; h <= 40; h++) flows.push(synProbe(h * 0.5, '10.0.0.5', `10.0.1.${h}`, 445, 'none'));
    const [e, ...rest] = run(flows);
    expect(rest).toHaveLength(0);
    expect(e!.evidence).toMatchObject({ scan: 'horizontal', distinct_targets: 40, unanswered: 40 });
    expect(e!.ports).toEqual([445]);
    expect(e!.targets[0]).toBe('10.0.1.1');
    expect(e!.targets[39]).toBe('10.0.1.40');
  });

  it('tells FIN, NULL, XMAS and UDP scans apart', () => {
    const flows: Flow[] = [];
    for (let p = 1; p <= 30; p++) {
      flows.push(flow({ at: p * 0.1, src: ATT, dst: '10.0.0.1', dport: p, flags: 'F', rpkts: 0 }));
      flows.push(flow({ at: p * 0.1, src: ATT, dst: '10.0.0.2', dport: p, flags: '', rpkts: 1, rflags: 'AR' }));
      flows.push(flow({ at: p * 0.1, src: ATT, dst: '10.0.0.3', dport: p, flags: 'UPF', rpkts: 0 }));
      flows.push(flow({ at: p * 0.1, proto: 'udp', src: ATT, dst: '10.0.0.4', sport: 5000, dport: p, rpkts: 0, rbytes: 0 }));
    }
    const ev = run(flows);
    expect(ev.map((e) => e.submethod).sort()).toEqual(['TCPFIN', 'TCPNULL', 'TCPXMAS', 'UDP']);
    expect(only(ev, 'SCANS', 'UDP')[0]!.proto).toBe('udp');
  });

  it('a busy web server answering many clients is not a scanner, nor are its clients', () => {
    const flows: Flow[] = [];
    for (let c = 1; c <= 250; c++) {
      flows.push(session(c * 0.2, `10.0.2.${c}`, '10.0.0.80', 443, 12, 1500, 0.3));
      // the server's own outbound connections to many update mirrors complete
      flows.push(session(c * 0.2, '10.0.0.80', `198.51.100.${c}`, 443, 10, 900, 0.2));
    }
    expect(run(flows)).toEqual([]);
  });

  it('a SYN flood of one port is not a port scan', () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 3000; i++) flows.push(flow({ at: i * 0.001, src: ATT, dst: '10.0.0.1', sport: 1024 + i, dport: 80, flags: 'S', rpkts: 1, rflags: 'AS' }));
    expect(only(run(flows), 'SCANS')).toEqual([]);
  });

  it('a traceroute and a handful of failed connections are not scans', () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 90; i++) flows.push(flow({ at: i * 0.1, proto: 'udp', src: '10.0.0.7', dst: '203.0.113.9', sport: 40000, dport: 33434 + i, rpkts: 0 }));
    for (let i = 0; i < 6; i++) flows.push(synProbe(i * 3, '10.0.0.7', `10.0.0.${20 + i}`, 445, 'none'));
    expect(run(flows)).toEqual([]);
  });

  it('finds an ARP scan and leaves a gateway resolving its live hosts alone', () => {
    const flows: Flow[] = [];
    for (let h = 1; h <= 254; h++) flows.push(arpRequest(h * 0.02, ATT, `192.168.1.${h}`, h % 40 === 0));
    for (let h = 2; h <= 60; h++) flows.push(arpRequest(h * 2, '192.168.1.1', `192.168.1.${h}`, true));
    const ev = run(flows);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ method: 'SCANS', submethod: 'ARP', src: ATT, target_count: 253, proto: 'arp' });
    // its own address is not asked for
    expect(ev[0]!.evidence).toMatchObject({ distinct_targets: 253, answered: 6, unanswered: 247 });
    expect(ev[0]!.targets).toHaveLength(100);
  });

  it('widens one event while a slow scan continues and starts a new one after the window', () => {
    const flows: Flow[] = [];
    // one new port every 10 s for 40 minutes: counted in parts (max_span_s), written as one event
    for (let p = 1; p <= 240; p++) flows.push(synProbe(p * 10, ATT, p <= 180 ? '10.0.0.1' : '10.0.0.2', p));
    // a scan three hours later is a new event
    for (let p = 1; p <= 30; p++) flows.push(synProbe(10800 + p, ATT, '10.0.0.3', p));
    const ev = run(flows);
    expect(ev).toHaveLength(2);
    expect(ev[0]!.targets).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(ev[0]!.start).toBe('2026-11-27T10:00:10.000Z');
    expect(ev[0]!.end).toBe('2026-11-27T10:40:00.050Z');
    expect(ev[1]!.targets).toEqual(['10.0.0.3']);
    expect(ev[0]!.id).not.toBe(ev[1]!.id);
  });

  it('gives the same events and ids for moderately disordered input', () => {
    const flows: Flow[] = [];
    for (let p = 1; p <= 300; p++) flows.push(synProbe(p * 0.2, ATT, `10.0.0.${1 + (p % 3)}`, p));
    for (let h = 1; h <= 100; h++) flows.push(arpRequest(100 + h * 0.1, ATT, `10.0.9.${h}`, false));
    const a = run(flows);
    // shuffle within 30-second blocks (ingest writes flows as they expire)
    const shuffled = [...flows].map((f, i) => ({ f, k: Math.floor(Date.parse(f.end) / 30000) * 1e6 + ((i * 7919) % 1000) })).sort((x, y) => x.k - y.k).map((x) => x.f);
    const b = detectArray(shuffled as never, { config: {}, methods: ['SCANS'] });
    expect(b.map((e) => e.id).sort()).toEqual(a.map((e) => e.id).sort());
    expect(b.map((e) => e.targets.length).sort()).toEqual(a.map((e) => e.targets.length).sort());
  });
});

describe('SCANS on one-direction flow records (NetFlow without --biflow)', () => {
  it('a server answering SYN-ACKs to many client ports is not a scanner; the scanner is', () => {
    const flows: Flow[] = [];
    for (let p = 1; p <= 100; p++) {
      // the probe and its answer as two records, neither with rpkts/rflags
      flows.push(flow({ at: p * 0.01, src: ATT, dst: '10.0.0.1', sport: 40000, dport: p, flags: 'S', pkts: 1, bytes: 44 }));
      flows.push(flow({ at: p * 0.01, src: '10.0.0.1', dst: ATT, sport: p, dport: 40000 + p, flags: p % 10 ? 'AR' : 'AS', pkts: 1, bytes: 44 }));
    }
    const ev = run(flows);
    expect(ev.map((e) => e.src)).toEqual([ATT]);
    expect(ev[0]!.evidence).toMatchObject({ probes: 100, answer_unknown: 100, unanswered: 0 });
    expect(ev[0]!.detail).toMatch(/100 with the answer not in the records/);
  });
});
