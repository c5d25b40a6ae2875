import { describe, expect, it } from 'vitest';
import { HostProfiler, Summarizer, addressPrefix, compareKeys, distinctField, parseKey, type KeySpec } from './flows.js';

const key = (s: string, host?: string): KeySpec => {
  const k = parseKey(s, host);
  if (typeof k === 'string') throw new Error(k);
  return k;
};

const flow = (o: Record<string, unknown>) => ({ kind: 'flow', start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:00:01.000Z', proto: 'tcp', pkts: 1, bytes: 60, ...o });

describe('addressPrefix', () => {
  it('masks IPv4 and IPv6 to their own lengths', () => {
    expect(addressPrefix('192.168.1.77', 24, 64)).toBe('192.168.1.0/24');
    expect(addressPrefix('2001:db8:1:2:3::9', 24, 64)).toBe('2001:db8:1:2::/64');
    expect(addressPrefix('10.1.2.3', 0, 0)).toBe('0.0.0.0/0');
    expect(addressPrefix('nonsense', 24, 64)).toBeUndefined();
  });
});

describe('parseKey', () => {
  it('reads named keys, prefixes and dotted fields', () => {
    const f = flow({ src: '10.0.0.1', dst: '10.0.1.2', sport: 5000, dport: 22, dns: { qname: 'a.example' }, smac: '00:00:00:00:00:01' });
    const vals = (k: string) => {
      const out: { v: unknown; side: unknown }[] = [];
      key(k, '10.0.0.1').values(f, out as any);
      return out.map((x) => x.v);
    };
    expect(vals('src')).toEqual(['10.0.0.1']);
    expect(vals('ip')).toEqual(['10.0.0.1', '10.0.1.2']);
    expect(vals('port')).toEqual([5000, 22]);
    expect(vals('peer')).toEqual(['10.0.1.2']);
    expect(vals('pair')).toEqual(['10.0.0.1 → 10.0.1.2']);
    expect(vals('src/16')).toEqual(['10.0.0.0/16']);
    expect(vals('ip/16')).toEqual(['10.0.0.0/16']); // both ends in one network: once
    expect(vals('dns')).toEqual(['a.example']);
    expect(vals('dns.qname')).toEqual(['a.example']);
    expect(vals('service')).toEqual(['tcp/22']);
    expect(vals('vlan')).toEqual([]);
  });
  it('refuses what cannot be a key', () => {
    expect(parseKey('peer')).toMatch(/--host/);
    expect(parseKey('src/33/129')).toMatch(/at most/);
    expect(parseKey('a..b')).toMatch(/not a field/);
    expect(parseKey('__proto__.x')).toMatch(/not a field/);
  });
});

describe('Summarizer', () => {
  const flows = [
    flow({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 22, pkts: 10, bytes: 1000, rpkts: 5, rbytes: 500 }),
    flow({ src: '10.0.0.1', dst: '10.0.0.3', sport: 1001, dport: 80, pkts: 2, bytes: 100 }),
    flow({ src: '10.0.0.3', dst: '10.0.0.2', sport: 1002, dport: 22, pkts: 1, bytes: 40, rpkts: 1, rbytes: 40, start: '2026-11-27T10:05:00.000Z', end: '2026-11-27T10:05:00.500Z' }),
    flow({ proto: 'icmp', src: '10.0.0.9', dst: '10.0.0.1', pkts: 1, bytes: 84 }),
  ];
  it('counts both directions and tells sent from received for an endpoint key', () => {
    const s = new Summarizer({ by: [key('src')] });
    flows.forEach((f) => s.add(f));
    const [first] = s.summaries();
    expect(first).toMatchObject({ kind: 'summary', by: 'src', key: '10.0.0.1', flows: 2, pkts: 17, bytes: 1600, sent_pkts: 12, sent_bytes: 1100, rcvd_pkts: 5, rcvd_bytes: 500 });
    expect(first.start).toBe('2026-11-27T10:00:00.000Z');
  });
  it('counts a flow for each side with ip, and orders by the chosen measure with ties by key', () => {
    const s = new Summarizer({ by: [key('ip')], order: 'bytes', top: 2 });
    flows.forEach((f) => s.add(f));
    const r = s.summaries();
    expect(r.map((x) => [x.key, x.flows, x.bytes])).toEqual([
      ['10.0.0.1', 3, 1684],
      ['10.0.0.2', 2, 1580],
    ]);
    expect(s.keys).toBe(4);
  });
  it('combines several keys and counts distinct values exactly', () => {
    const s = new Summarizer({ by: [key('dport')], distinct: [key('src'), key('dst')] });
    flows.forEach((f) => s.add(f));
    expect(s.missing).toBe(1); // the ICMP flow has no port
    const r = s.summaries();
    expect(r[0]).toMatchObject({ key: 22, flows: 2, distinct_src: 2, distinct_dst: 1 });
    const s2 = new Summarizer({ by: [key('src'), key('dport')] });
    flows.forEach((f) => s2.add(f));
    expect(s2.summaries().map((x) => x.key)).toEqual([
      ['10.0.0.1', 22],
      ['10.0.0.1', 80],
      ['10.0.0.3', 22],
    ]);
  });
  it('bins all flows with empty bins filled, or per key', () => {
    const s = new Summarizer({ by: [], binMs: 60_000 });
    flows.forEach((f) => s.add(f));
    const bins = s.bins();
    expect(bins.length).toBe(6);
    expect(bins[0]).toMatchObject({ kind: 'bin', start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:01:00.000Z', flows: 3 });
    expect(bins[1].flows).toBe(0);
    expect(bins[5].flows).toBe(1);
    const k = new Summarizer({ by: [key('dst')], binMs: 60_000, top: 1 });
    flows.forEach((f) => k.add(f));
    expect(k.bins().map((b) => [b.key, b.start, b.flows])).toEqual([
      ['10.0.0.2', '2026-11-27T10:00:00.000Z', 1],
      ['10.0.0.2', '2026-11-27T10:05:00.000Z', 1],
    ]);
  });
  it('names distinct fields plainly', () => {
    expect(distinctField('src/24')).toBe('distinct_src_24');
    expect(distinctField('dns.qtype')).toBe('distinct_dns_qtype');
  });
  it('orders keys: numbers, addresses, text', () => {
    expect([22, 3, 100].sort(compareKeys)).toEqual([3, 22, 100]);
    expect(['10.0.0.10', '10.0.0.9', '2001:db8::1'].sort(compareKeys)).toEqual(['10.0.0.9', '10.0.0.10', '2001:db8::1']);
  });
});

describe('HostProfiler', () => {
  it('profiles one address as client and server, keeping its earliest flows', () => {
    const h = '10.0.0.1';
    const p = new HostProfiler({ host: h, limit: 2, top: 10 });
    const fl = [
      flow({ src: h, dst: '10.0.0.2', sport: 1, dport: 22, pkts: 3, bytes: 300, rpkts: 2, rbytes: 200, start: '2026-11-27T10:00:09.000Z', end: '2026-11-27T10:00:10.000Z' }),
      flow({ src: '10.0.0.5', dst: h, sport: 2, dport: 80, pkts: 1, bytes: 50, start: '2026-11-27T10:00:01.000Z' }),
      flow({ src: h, dst: '10.0.0.2', sport: 3, dport: 22, pkts: 1, bytes: 10, start: '2026-11-27T10:00:05.000Z' }),
      flow({ src: '10.0.0.7', dst: '10.0.0.8', sport: 4, dport: 22 }),
    ];
    fl.forEach((f, i) => p.involves(f) && p.add(f, `line${i}`));
    const r = p.result();
    expect(r.total).toMatchObject({ flows: 3, client_flows: 2, server_flows: 1, sent_pkts: 4, sent_bytes: 310, rcvd_pkts: 3, rcvd_bytes: 250, distinct_peers: 2 });
    expect(r.peers[0]).toMatchObject({ key: '10.0.0.2', flows: 2, host_client_flows: 2, host_server_flows: 0 });
    expect(r.clientServices.map((s) => [s.key, s.flows])).toEqual([['tcp/22', 2]]);
    expect(r.serverServices.map((s) => [s.key, s.distinct_peers])).toEqual([['tcp/80', 1]]);
    expect(r.flows).toEqual(['line1', 'line2']);
    expect(r.flowCount).toBe(3);
    expect(r.bins.reduce((a, b) => a + b.flows, 0)).toBe(3);
  });
  it('keeps its chart bounded over a long span, losing no flow', () => {
    const p = new HostProfiler({ host: '10.0.0.1', limit: 1, top: 1, chartBins: 60 });
    const t0 = Date.UTC(2026, 10, 27);
    for (let i = 0; i < 30_000; i++) p.add(flow({ src: '10.0.0.1', dst: '10.0.0.2', start: new Date(t0 + i * 1000).toISOString() }), '');
    const r = p.result();
    expect(r.bins.length).toBeLessThanOrEqual(60);
    expect(r.bins.reduce((a, b) => a + b.flows, 0)).toBe(30_000);
    expect(r.binMs % 10_000).toBe(0);
  });
});
