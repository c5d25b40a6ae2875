import { describe, expect, it } from 'vitest';
import { dnsQuery, flow, only, run } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';
import { baseDomain, entropy, looksEncoded } from './tunnel.js';
import { METHODS } from '../registry.js';

const GW = '192.168.1.1';
const VIC = '192.168.1.225';

/** ordinary clients: a few queries each for ordinary names */
function background(): Flow[] {
  const out: Flow[] = [];
  const names = ['www.example.com', 'mail.corp.lan', 'update.vendor.net', 'cdn.news.co.uk', 'api.github.com'];
  for (let i = 0; i < 20; i++) for (const c of ['192.168.1.10', '192.168.1.11', '192.168.1.20']) out.push(dnsQuery(i * 10 + 1, c, GW, names[i % names.length]!));
  return out;
}

let rnd = 12345;
function randLabel(n: number): string {
  const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) {
    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
    s += abc[(rnd >> 16) % abc.length];
  }
  return s;
}

describe('DNSANOMALY/TUNNEL', () => {
  it('is a submethod of the one DNSANOMALY method (one name, one config section)', () => {
    const dns = METHODS.filter((m) => m.name === 'DNSANOMALY');
    expect(dns).toHaveLength(1);
    expect(dns[0]!.submethods).toEqual(['FORBIDDENSERVER', 'UNUSUALSERVER', 'TUNNEL']);
    expect(dns[0]!.defaults).toHaveProperty('tunnel_min_queries');
  });

  it('helpers: registered domain, entropy, encoded names', () => {
    expect(baseDomain('yrb0qg.t.updates-cdn.net')).toBe('updates-cdn.net');
    expect(baseDomain('a.b.example.co.uk.')).toBe('example.co.uk');
    expect(baseDomain('localhost')).toBe('localhost');
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
    expect(looksEncoded(`${'x'.repeat(50)}.t.evil.net`, 'evil.net', 40, 3.5)).toBe(true);
    expect(looksEncoded('q8z1kd93jf7s2mxa0.evil.net', 'evil.net', 40, 3.5)).toBe(true);
    expect(looksEncoded('www.evil.net', 'evil.net', 40, 3.5)).toBe(false);
    expect(looksEncoded('evil.net', 'evil.net', 40, 3.5)).toBe(false);
  });

  it('iodine: one UDP flow of big NULL queries to one domain (as in the lab capture)', () => {
    const flows = [
      ...background(),
      flow({ at: 30, dur: 30, proto: 'udp', src: VIC, sport: 58534, dst: '192.168.1.100', dport: 53, pkts: 228, bytes: 62718, rpkts: 218, rbytes: 68140, app: 'dns', dns: { qname: 'yrb0qg.t.updates-cdn.net', qtype: 'NULL', rcode: 'NOERROR' } }),
    ];
    const ev = only(run(flows), 'DNSANOMALY', 'TUNNEL');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ src: VIC, targets: ['192.168.1.100'], priority: 'high', ports: [53], proto: 'udp', attack: { technique: 'T1071.004' } });
    expect(ev[0]!.evidence).toMatchObject({ domain: 'updates-cdn.net', queries: 228, bytes_per_query: 275, odd_qtype_ratio: 1 });
    expect(ev[0]!.detail).toMatch(/228 DNS queries for names under updates-cdn\.net .*queries of 275 bytes on average, 100% NULL queries/);
  });

  it('dnscat-style: a query per flow, many distinct random subdomains of one domain, TXT', () => {
    const flows = background();
    for (let i = 0; i < 120; i++) flows.push(flow({ at: 2 + i * 0.5, proto: 'udp', src: VIC, sport: 30000 + i, dst: GW, dport: 53, pkts: 1, bytes: 120, rpkts: 1, rbytes: 160, app: 'dns', dns: { qname: `${randLabel(30)}.${randLabel(20)}.c2.example.org`, qtype: 'TXT' } }));
    const ev = only(run(flows), 'DNSANOMALY', 'TUNNEL');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.targets).toEqual([GW]);
    expect(ev[0]!.evidence).toMatchObject({ domain: 'example.org', distinct_subdomains: 120 });
    expect(ev[0]!.detail).toMatch(/120 distinct subdomains/);
    expect(ev[0]!.detail).toMatch(/long or random-looking names/);
  });

  it('near miss: a DNS-heavy but normal client (many names of many domains, A/AAAA, small queries)', () => {
    const flows = background();
    const domains = ['example.com', 'news.org', 'video.net', 'shop.de', 'cdn.io', 'mail.com', 'social.net', 'ads.net'];
    for (let i = 0; i < 2000; i++) flows.push(dnsQuery(1 + i * 0.1, '192.168.1.50', GW, `host${i % 40}.${domains[i % domains.length]}`));
    expect(only(run(flows), 'DNSANOMALY', 'TUNNEL')).toEqual([]);
  });

  it('near miss: a mail server asking TXT (SPF, DKIM) of many domains', () => {
    const flows = background();
    for (let i = 0; i < 300; i++) flows.push(flow({ at: 1 + i * 0.5, proto: 'udp', src: '192.168.1.25', sport: 20000 + i, dst: GW, dport: 53, pkts: 1, bytes: 80, rpkts: 1, rbytes: 300, app: 'dns', dns: { qname: `selector1._domainkey.sender${i}.com`, qtype: 'TXT' } }));
    expect(only(run(flows), 'DNSANOMALY', 'TUNNEL')).toEqual([]);
  });

  it('DNS over TCP with volume to one domain', () => {
    const flows = background();
    for (let i = 0; i < 60; i++) flows.push(flow({ at: 1 + i, dur: 0.5, proto: 'tcp', src: VIC, sport: 40000 + i, dst: GW, dport: 53, pkts: 12, bytes: 9000, rpkts: 10, rbytes: 12000, flags: 'APSF', rflags: 'APSF', app: 'dns', dns: { qname: `${randLabel(8)}.tun.example.net`, qtype: 'A' } }));
    const ev = only(run(flows), 'DNSANOMALY', 'TUNNEL');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.proto).toBe('tcp');
    expect(ev[0]!.detail).toMatch(/of DNS over TCP/);
  });

  it('thresholds come from the DNSANOMALY section of the config', () => {
    const flows = [...background(), flow({ at: 30, dur: 30, proto: 'udp', src: VIC, dst: '192.168.1.100', dport: 53, pkts: 228, bytes: 62718, rpkts: 218, rbytes: 68140, dns: { qname: 'a.t.updates-cdn.net', qtype: 'NULL' } })];
    expect(only(run(flows, { config: { methods: { DNSANOMALY: { tunnel_min_queries: 500 } } } }), 'DNSANOMALY', 'TUNNEL')).toEqual([]);
  });
});
