import { describe, expect, it } from 'vitest';
import { only, run, session } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';
import { LogHistogram } from './hightransf.js';

const ATT = '192.168.1.100';
const VIC = '192.168.1.225';

/** ordinary web traffic: 60 downloads of 20 to 90 KB by three hosts */
function web(): Flow[] {
  const out: Flow[] = [];
  for (let i = 0; i < 60; i++) out.push(session(i * 3, `192.168.1.${10 + (i % 3)}`, '192.168.1.5', 80, 20, 600, 0.2, { rbytes: 20000 + ((i * 7919) % 70000) }));
  return out;
}

describe('HIGHTRANSF', () => {
  it('the histogram percentile leaves the value out and is bucket-accurate', () => {
    const h = new LogHistogram();
    for (let i = 1; i <= 100; i++) h.add(i * 1000);
    const p = h.percentile(95);
    expect(p).toBeGreaterThanOrEqual(95000);
    expect(p).toBeLessThan(95000 * 1.1);
    h.add(5e9);
    expect(h.percentile(100, 5e9)).toBeLessThan(110000);
  });

  it('scp pulled from the victim: DOWNLOAD by the attacker, how much, to whom, over which service', () => {
    const flows = [...web(), session(100, ATT, VIC, 22, 153, 13201, 0.63, { rpkts: 126, rbytes: 3160205, app: 'ssh' })];
    const ev = only(run(flows), 'HIGHTRANSF');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'DOWNLOAD', src: ATT, targets: [VIC], ports: [22], proto: 'tcp', priority: 'medium', attack: { tactic: 'collection' } });
    expect(ev[0]!.evidence).toMatchObject({ bytes: 3160205, service: 'tcp/22 (ssh)' });
    expect(ev[0]!.detail).toMatch(/192\.168\.1\.100 received 3\.2 MB from 192\.168\.1\.225 over tcp\/22 \(ssh\) .*x the 95th percentile/);
  });

  it('a host pushing data out: UPLOAD, high', () => {
    const flows = [...web(), session(100, VIC, '203.0.113.9', 443, 4000, 40_000_000, 30, { rbytes: 90000, app: 'tls' })];
    const ev = only(run(flows), 'HIGHTRANSF');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'UPLOAD', src: VIC, targets: ['203.0.113.9'], priority: 'high', attack: { tactic: 'exfiltration', technique: 'T1048' } });
    expect(ev[0]!.detail).toMatch(/sent 40\.0 MB to 203\.0\.113\.9 over tcp\/443 \(tls\)/);
  });

  it('near miss: a long video download is no event when the host usually downloads that much', () => {
    const flows = web();
    for (let d = 0; d < 5; d++) flows.push(session(20 + d * 20, '192.168.1.30', '198.51.100.7', 443, 5000, 50000, 600, { rbytes: 400_000_000 + d * 30_000_000 }));
    flows.push(session(150, '192.168.1.30', '198.51.100.7', 443, 9000, 80000, 1800, { rbytes: 700_000_000 }));
    // each is within host_factor of the host's other transfers (judged idle_s after it ended, so the later ones count too)
    expect(only(run(flows), 'HIGHTRANSF')).toEqual([]);
    // without that history (a lower floor of the factor), the same downloads would be reported
    expect(only(run(flows, { config: { methods: { HIGHTRANSF: { host_factor: 1, percentile_factor: 1 } } } }), 'HIGHTRANSF').length).toBeGreaterThan(0);
  });

  it('...but far above the host usual it is', () => {
    const flows = web();
    for (let d = 0; d < 4; d++) flows.push(session(20 + d * 20, '192.168.1.30', '198.51.100.7', 443, 500, 5000, 60, { rbytes: 3_000_000 }));
    flows.push(session(150, '192.168.1.30', '198.51.100.7', 443, 9000, 80000, 1800, { rbytes: 400_000_000 }));
    const ev = only(run(flows), 'HIGHTRANSF').filter((e) => e.evidence.bytes === 400_000_000);
    expect(ev).toHaveLength(1);
    expect(ev[0]!.detail).toMatch(/133x the largest other transfer of 192\.168\.1\.30/);
  });

  it('near miss: many ordinary downloads that add up are not one big transfer', () => {
    const flows = web();
    for (let i = 0; i < 200; i++) flows.push(session(i, '192.168.1.40', '192.168.1.5', 80, 20, 600, 0.2, { rbytes: 80000 }));
    expect(only(run(flows), 'HIGHTRANSF')).toEqual([]);
  });

  it('a perspective narrows it by network: uploads to the backup network are info, others keep their priority', () => {
    const flows = [...web(), session(100, VIC, '10.50.0.9', 873, 4000, 40_000_000, 30, { rbytes: 90000 }), session(120, ATT, '203.0.113.9', 443, 4000, 40_000_000, 30, { rbytes: 90000 })];
    const config = { perspectives: { backups: { extends: 'default', rules: [{ method: 'HIGHTRANSF', submethod: 'UPLOAD', target: '10.50.0.0/16', priority: 'info' as const }] } } };
    const ev = only(run(flows, { config, perspective: 'backups' }), 'HIGHTRANSF');
    expect(ev.map((e) => [e.src, e.priority])).toEqual([
      [VIC, 'info'],
      [ATT, 'high'],
    ]);
  });

  it('near miss: below min_bytes nothing is reported, whatever the ratios', () => {
    const flows = [...web(), session(100, ATT, VIC, 22, 50, 3000, 0.2, { rbytes: 490_000 })];
    expect(only(run(flows), 'HIGHTRANSF')).toEqual([]);
    expect(only(run(flows, { config: { methods: { HIGHTRANSF: { min_bytes: 400_000 } } } }), 'HIGHTRANSF')).toHaveLength(1);
  });
});
