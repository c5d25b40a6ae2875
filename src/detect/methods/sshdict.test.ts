import { describe, expect, it } from 'vitest';
import { only, run as runAll, session } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';
import { judgeSessions } from './sshdict.js';
import { METHOD_DEFAULTS } from '../config.js';

// this file's methods only: the other methods have their own tests
const run: typeof runAll = (flows, opts = {}) => runAll(flows, { methods: ['SSHDICT', 'DICTATTACK'], ...opts });

const ATT = '192.168.1.100';
const VIC = '192.168.1.225';

/** hydra against OpenSSH: `tasks` parallel connections, each a few guesses, about the same size */
function hydra(from: number, n: number, dport = 22, tasks = 4): Flow[] {
  const out: Flow[] = [];
  for (let i = 0; i < n; i++) {
    const at = from + Math.floor(i / tasks) * 5 + (i % tasks) * 0.05;
    out.push(session(at, ATT, VIC, dport, 30 + (i % 3), 4200 + (i % 5) * 40, 4.5));
  }
  return out;
}

describe('SSHDICT', () => {
  it('finds password guessing from the shape of the sessions', () => {
    const ev = run(hydra(0, 12));
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ method: 'SSHDICT', submethod: 'ATTEMPT', src: ATT, targets: [VIC], ports: [22], priority: 'high', title: 'SSH dictionary attack' });
    expect(ev[0]!.evidence).toMatchObject({ sessions: 12, median_pkts: 59, success: false });
    expect(ev[0]!.attack).toEqual({ tactic: 'credential-access', technique: 'T1110.001' });
  });

  it('counts a few long-ish similar connections (several guesses each)', () => {
    const ev = run(hydra(0, 4));
    expect(only(ev, 'SSHDICT', 'ATTEMPT')).toHaveLength(1);
  });

  it('calls a clearly unlike session after the guesses a success, critical', () => {
    const flows = [...hydra(0, 12), session(40, ATT, VIC, 22, 900, 150000, 45)];
    const ev = run(flows);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'SUCCESS', priority: 'critical' });
    expect(ev[0]!.evidence).toMatchObject({ sessions: 12, success: true, success_sessions: 1, success_pkts: 1710 });
    expect(ev[0]!.detail).toMatch(/12 SSH sessions of about 59 packets .* then a 45 s session of 1710 packets .*likely succeeded/);
    // the success's flow comes first in the evidence
    expect((ev[0]!.evidence.flows as string[])[0]).toBe(flows[12]!.id);
  });

  it('still sees the success when the attacker logs in long after the guessing', () => {
    const ev = run([...hydra(0, 12), session(1500, ATT, VIC, 22, 700, 90000, 60)]);
    const s = only(ev, 'SSHDICT', 'SUCCESS');
    expect(s).toHaveLength(1);
    expect(s[0]!.priority).toBe('critical');
  });

  it('a single login, a backup job and an admin logging in now and then are not events', () => {
    const flows: Flow[] = [
      session(0, '10.0.0.5', '10.0.0.10', 22, 60, 9000, 8),
      // nightly backup: one big session
      session(100, '10.0.0.6', '10.0.0.10', 22, 250000, 3.5e8, 1800),
      // an admin: three logins of different sizes spread over an hour
      session(200, '10.0.0.7', '10.0.0.10', 22, 400, 50000, 300),
      session(1800, '10.0.0.7', '10.0.0.10', 22, 45, 7000, 5),
      session(3500, '10.0.0.7', '10.0.0.10', 22, 1200, 200000, 900),
      // a typo then a login
      session(4000, '10.0.0.8', '10.0.0.10', 22, 30, 4000, 3),
      session(4010, '10.0.0.8', '10.0.0.10', 22, 500, 80000, 200),
    ];
    expect(run(flows)).toEqual([]);
  });

  it('a monitoring check logging in every minute is not guessing', () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 60; i++) flows.push(session(i * 60, '10.0.0.5', '10.0.0.10', 22, 40, 6000, 1));
    expect(run(flows)).toEqual([]);
  });

  it('judgeSessions: the band of similar sessions and the unlike one', () => {
    const s = METHOD_DEFAULTS.SSHDICT;
    const mk = (start: number, pkts: number, bytes = pkts * 130, dur = 3000) => ({ start, end: start + dur, pkts, bytes });
    const v = judgeSessions([mk(0, 30), mk(1000, 31), mk(2000, 29), mk(3000, 30), mk(3500, 400, 90000, 60000)], s)!;
    expect(v.attempts).toHaveLength(4);
    expect(v.successes).toHaveLength(1);
    expect(v.medianPkts).toBe(30);
    // sessions all different: no band
    expect(judgeSessions([mk(0, 10), mk(1, 50), mk(2, 200), mk(3, 900), mk(4, 4000)], s)).toBeUndefined();
  });
});

describe('DICTATTACK', () => {
  it('names the service: RDP guessing', () => {
    const ev = run(hydra(0, 20, 3389));
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ method: 'DICTATTACK', submethod: 'RDP', priority: 'high', title: 'RDP dictionary attack' });
  });

  it('a success makes a DICTATTACK event critical', () => {
    const ev = run([...hydra(0, 20, 21), session(60, ATT, VIC, 21, 500, 2e6, 30)]);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'FTP', priority: 'critical' });
    expect(ev[0]!.evidence.success).toBe(true);
  });

  it('a web client polling every 5 s is not HTTP guessing, a burst of logins is', () => {
    const poll: Flow[] = [];
    for (let i = 0; i < 200; i++) poll.push(session(i * 5, '10.0.0.20', '10.0.0.11', 80, 8, 900, 0.05));
    expect(run(poll)).toEqual([]);
    const burst: Flow[] = [];
    for (let i = 0; i < 100; i++) burst.push(session(i * 0.5, ATT, '10.0.0.11', 80, 8, 1100 + (i % 3), 0.05));
    expect(only(run(burst), 'DICTATTACK', 'HTTP')).toHaveLength(1);
  });

  it('a person browsing a web server (similar packet counts, pages of very different sizes) is not HTTP guessing', () => {
    // like testdata/beacon/browse.pcap: 56 fetches of 6 to 10 packets, answers from 1.4 KB to 36 KB
    const sizes = [14348, 11738, 12485, 1468, 24491, 36554, 3351, 2936, 11574, 5777, 18181, 9490, 1392, 3768, 9841, 7424];
    const browse: Flow[] = [];
    for (let i = 0; i < 56; i++) browse.push(session(i * 2.4, '10.77.0.1', '10.77.0.2', 8000, 6 + (i % 4), sizes[i % sizes.length]!, 0.01, { app: 'http' }));
    expect(run(browse)).toEqual([]);
  });
});

describe('SSHDICT on one-direction flow records', () => {
  it('finds guessing and success from the client-to-server records alone', () => {
    const flows = [...hydra(0, 12), session(40, ATT, VIC, 22, 900, 150000, 45)].map((f) => {
      const { rpkts: _rp, rbytes: _rb, rflags: _rf, state: _st, ...one } = f;
      return one as Flow;
    });
    const ev = run(flows);
    expect(ev.map((e) => `${e.method}/${e.submethod}`)).toEqual(['SSHDICT/SUCCESS']);
  });
});

describe('SSHDICT on long-running pairs', () => {
  it('judges a pair busy for longer than max_span_s in parts, written as one event', () => {
    // slow guessing: one similar session every 20 s for 40 minutes
    const flows: Flow[] = [];
    for (let i = 0; i < 120; i++) flows.push(session(i * 20, ATT, VIC, 22, 30 + (i % 2), 4200, 2));
    const ev = run(flows);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'ATTEMPT', start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:39:42.000Z' });
  });
});
