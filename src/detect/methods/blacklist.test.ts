import { describe, expect, it } from 'vitest';
import { dnsQuery, flow, only, run, session } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';
import { listedDomain, parseBlocklist } from './blacklist.js';

const H = '192.168.1.20';
const GW = '192.168.1.1';

const LIST = `# threat feed, 2026-11-27
203.0.113.66          # C2
198.51.100.0/24
2001:db8:bad::/48
evil.example
*.tracker.test
.malware.test.
0.0.0.0 ads.sinkhole.test
`;

describe('BLACKLIST', () => {
  it('reads addresses, networks, domains and hosts-file lines; reports the rest by line', () => {
    const { list, problems } = parseBlocklist(LIST + 'not an entry\n300.1.2.3/8\n-bad-.\n300.1.2.3\nzip\n');
    expect(list.size).toBe(8);
    expect(list.nets.has('203.0.113.66')).toBe(true);
    expect(list.nets.has('203.0.113.67')).toBe(false);
    expect(list.nets.has('198.51.100.200')).toBe(true);
    expect(list.nets.has('2001:db8:bad:1::5')).toBe(true);
    expect([...list.domains].sort()).toEqual(['ads.sinkhole.test', 'evil.example', 'malware.test', 'tracker.test', 'zip']);
    expect(problems.map((p) => p.line)).toEqual([9, 10, 11, 12]);
    expect(problems[0]!.message).toMatch(/one entry a line/);
  });

  it('domain lookup walks up the labels', () => {
    const d = new Set(['evil.example', 'tracker.test']);
    expect(listedDomain(d, 'a.b.EVIL.example.')).toBe('evil.example');
    expect(listedDomain(d, 'evil.example')).toBe('evil.example');
    expect(listedDomain(d, 'notevil.example')).toBeUndefined();
    expect(listedDomain(d, 'example')).toBeUndefined();
  });

  it('HOST: a local host talking to a listed address and a listed network, one event with both', () => {
    const blocklist = parseBlocklist(LIST).list;
    const flows: Flow[] = [session(10, H, '203.0.113.66', 443, 12, 900, 1), session(20, H, '198.51.100.9', 8080, 10, 700, 1), session(30, H, '93.184.216.34', 443, 10, 700, 1), session(40, '192.168.1.21', '93.184.216.34', 443, 10, 700, 1)];
    const ev = only(run(flows, { config: { blocklist } }), 'BLACKLIST');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'HOST', src: H, targets: ['198.51.100.9', '203.0.113.66'], ports: [443, 8080], priority: 'high' });
    expect(ev[0]!.evidence).toMatchObject({ listed: { '203.0.113.66': 'listed', '198.51.100.9': 'listed' }, flows_with_listed: 2, blocklist_entries: 7 });
  });

  it('HOST: a listed host calling in is the src', () => {
    const blocklist = parseBlocklist(LIST).list;
    const ev = only(run([session(5, '198.51.100.4', '192.168.1.5', 22, 10, 700, 1)], { config: { blocklist } }), 'BLACKLIST');
    expect(ev[0]).toMatchObject({ submethod: 'HOST', src: '198.51.100.4', targets: ['192.168.1.5'] });
  });

  it('DOMAIN: queries under listed domains, and the addresses they resolved to become listed', () => {
    const blocklist = parseBlocklist(LIST).list;
    const q = dnsQuery(10, H, GW, 'x1.cdn.Tracker.test');
    q.dns = { ...q.dns!, answers: ['192.0.2.77'] };
    const flows: Flow[] = [q, dnsQuery(11, H, GW, 'www.example.com'), dnsQuery(12, H, GW, 'evil.example'), session(13, H, '192.0.2.77', 443, 10, 700, 1)];
    const ev = run(flows, { config: { blocklist } });
    const dom = only(ev, 'BLACKLIST', 'DOMAIN');
    expect(dom).toHaveLength(1);
    expect(dom[0]).toMatchObject({ src: H, targets: [GW], attack: { technique: 'T1071.004' } });
    expect(dom[0]!.evidence).toMatchObject({ names: ['x1.cdn.Tracker.test', 'evil.example'], listed_domains: ['tracker.test', 'evil.example'], queries: 2 });
    const host = only(ev, 'BLACKLIST', 'HOST');
    expect(host[0]).toMatchObject({ src: H, targets: ['192.0.2.77'] });
    expect(host[0]!.detail).toMatch(/resolved from listed tracker\.test/);
  });

  it('names from the wire reach the detail with control characters escaped', () => {
    const blocklist = parseBlocklist('evil.example\n').list;
    const ev = run([dnsQuery(1, H, GW, '\u001b[31mred.evil.example')], { config: { blocklist } });
    expect(ev[0]!.detail).not.toMatch(/\u001b/);
  });

  it('without --blocklist, or with nothing listed that is seen, it is quiet', () => {
    const flows = [session(10, H, '203.0.113.66', 443, 12, 900, 1), dnsQuery(12, H, GW, 'evil.example')];
    expect(only(run(flows), 'BLACKLIST')).toEqual([]);
    expect(only(run(flows, { config: { blocklist: parseBlocklist('10.99.0.0/16\nother.test\n').list } }), 'BLACKLIST')).toEqual([]);
  });

  it('thousands of entries are read and looked up fast', () => {
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) lines.push(`10.${(i >> 8) & 255}.${i & 255}.0/${24 + (i % 8)}`, `bad${i}.example${i % 50}.test`);
    const t0 = performance.now();
    const { list, problems } = parseBlocklist(lines.join('\n'));
    expect(problems).toEqual([]);
    expect(list.size).toBe(40000);
    const flows: Flow[] = [];
    for (let i = 0; i < 20000; i++) flows.push(flow({ at: i * 0.01, src: `192.168.${(i >> 8) & 255}.${i & 255}`, dst: `172.16.${i & 255}.1`, dport: 443 }));
    flows.push(session(300, H, '10.0.5.3', 443, 10, 700, 1));
    const ev = only(run(flows, { config: { blocklist: list } }), 'BLACKLIST');
    expect(ev.map((e) => e.targets)).toEqual([['10.0.5.3']]);
    // generous: this is a smoke check that nothing is quadratic, not a benchmark
    expect(performance.now() - t0).toBeLessThan(20000);
  });
});
