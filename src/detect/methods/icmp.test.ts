import { describe, expect, it } from 'vitest';
import { arpRequest, echo, only, run as runAll } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';

// this file's methods only: the other methods have their own tests
const run: typeof runAll = (flows, opts = {}) => runAll(flows, { methods: ['ICMPANOM'], ...opts });

describe('ICMPANOM', () => {
  it('finds a ping sweep across a routed network', () => {
    const flows: Flow[] = [];
    for (let h = 1; h <= 50; h++) flows.push(echo(h * 0.05, '10.0.0.9', `172.16.5.${h}`));
    const ev = only(run(flows), 'ICMPANOM');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'ICMPSCAN', src: '10.0.0.9', priority: 'medium', proto: 'icmp', title: 'Ping sweep' });
    expect(ev[0]!.targets).toHaveLength(50);
    expect(ev[0]!.evidence).toMatchObject({ echo_requests: 50, echo_targets: 50, arp_only_targets: 0 });
  });

  it('on a LAN, counts the ARP requests for dead addresses around the echoes and says so', () => {
    const flows: Flow[] = [];
    const live = [1, 10, 11, 20, 225];
    for (let h = 1; h <= 254; h++) {
      if (h === 100) continue;
      flows.push(arpRequest(h * 0.01, '192.168.1.100', `192.168.1.${h}`, live.includes(h)));
      if (live.includes(h)) flows.push(echo(h * 0.01 + 0.005, '192.168.1.100', `192.168.1.${h}`));
    }
    const ev = only(run(flows), 'ICMPANOM', 'ICMPSCAN');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.evidence).toMatchObject({ echo_targets: 5, arp_only_targets: 248 });
    expect(ev[0]!.target_count).toBe(253);
    expect(ev[0]!.detail).toMatch(/5 live hosts and ARP requests for 248 more addresses.*dead addresses show only as ARP/);
  });

  it('a host pinging its gateway and a few servers is not a sweep', () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 100; i++) flows.push(echo(i * 5, '10.0.0.9', `10.0.0.${1 + (i % 4)}`));
    expect(run(flows)).toEqual([]);
  });

  it('finds a ping flood and leaves a slow long ping alone', () => {
    const ev = run([echo(0, '10.0.0.66', '10.0.0.1', 50000, 10), echo(0, '10.0.0.7', '10.0.0.1', 3600, 3600)]);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'PINGFLOOD', src: '10.0.0.66', targets: ['10.0.0.1'], priority: 'high' });
    expect(ev[0]!.evidence).toMatchObject({ echo_requests: 50000, pps: 5000 });
  });

  it('handles ICMPv6 echo requests', () => {
    const flows: Flow[] = [];
    for (let h = 1; h <= 30; h++) flows.push(echo(h * 0.1, '2001:db8::66', `2001:db8::${h.toString(16)}`));
    const ev = run(flows);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'ICMPSCAN', proto: 'icmp6' });
    expect(ev[0]!.targets[0]).toBe('2001:db8::1');
    expect(ev[0]!.targets[29]).toBe('2001:db8::1e');
  });
});
