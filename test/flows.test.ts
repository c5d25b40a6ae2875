// fir flows through the CLI: summary and bin records against the contract, the host profile,
// the escaping of hostile DNS names on a forced table, and what it must refuse.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TESTDATA, checkRecords, fir, hasShared, records } from './helpers.js';

const FLOWS = path.join(TESTDATA, 'flows', 'lab-flows.ndjson');

async function conforms(text: string): Promise<void> {
  if (!hasShared) return;
  const c = await checkRecords(text);
  expect(c.output).toMatch(/0 problems/);
}

describe('fir flows', () => {
  it('writes summary records as the contract defines them, counting both directions', async () => {
    const r = await fir(['flows', '--by', 'src', '--distinct', 'dst,dport', FLOWS]);
    expect(r.exitCode).toBe(0);
    const s = records(r.stdout);
    expect(s[0]).toMatchObject({ kind: 'summary', by: 'src', key: '192.168.1.100', flows: 31, distinct_dst: 7 });
    for (const x of s) {
      expect(x.pkts).toBe(x.sent_pkts + x.rcvd_pkts);
      expect(x.bytes).toBe(x.sent_bytes + x.rcvd_bytes);
    }
    expect(s.reduce((a, x) => a + x.flows, 0)).toBe(50);
    await conforms(r.stdout);
  });

  it('orders by packets or bytes and keeps the top N', async () => {
    const r = records((await fir(['flows', '--by', 'dst', '--order', 'bytes', '--top', '3', FLOWS])).stdout);
    expect(r.length).toBe(3);
    expect(r.map((x) => x.bytes)).toEqual([...r.map((x) => x.bytes)].sort((a, b) => b - a));
  });

  it('writes bin records with empty bins as zeros, and per key', async () => {
    const all = await fir(['flows', '--bin', '30s', FLOWS]);
    const bins = records(all.stdout);
    expect(bins.every((b) => b.kind === 'bin')).toBe(true);
    expect(bins.reduce((a, b) => a + b.flows, 0)).toBe(50);
    expect(bins.some((b) => b.flows === 0)).toBe(true);
    await conforms(all.stdout);
    const per = records((await fir(['flows', '--bin', '1m', '--by', 'proto', FLOWS])).stdout);
    expect(per.filter((x) => x.kind === 'bin').every((b) => typeof b.key === 'string' && b.by === 'proto')).toBe(true);
  });

  it('profiles a host: totals, peers, services, bins and its flows', async () => {
    const r = await fir(['flows', '--host', '192.168.1.100', '--limit', '3', FLOWS]);
    expect(r.exitCode).toBe(0);
    const recs = records(r.stdout);
    const total = recs[0];
    expect(total).toMatchObject({ kind: 'summary', by: 'host', key: '192.168.1.100', flows: 35, client_flows: 31, server_flows: 4 });
    expect(recs.filter((x) => x.by === 'peer')[0].key).toBe('192.168.1.225');
    expect(recs.filter((x) => x.by === 'service' && x.role === 'server').map((x) => x.key)).toEqual(['udp/53']);
    expect(recs.filter((x) => x.kind === 'flow').length).toBe(3);
    expect(recs.filter((x) => x.kind === 'bin').reduce((a, b) => a + b.flows, 0)).toBe(35);
    await conforms(r.stdout);
  });

  it('escapes DNS names with control characters and ANSI escapes in a forced table', async () => {
    const r = await fir(['flows', '--by', 'dns', '--format', 'table', FLOWS], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(r.stdout).toContain('evil\\x1b[31m.example\\r\\n.com');
    const escapes = r.stdout.match(/\u001b[^m]*m?/g) ?? [];
    for (const e of escapes) expect(e).toMatch(/^\u001b\[\d+m$/); // only our own bold/colour
    expect(r.stdout).not.toContain('\r');
    const host = await fir(['flows', '--host', '192.168.1.225', '--format', 'table', FLOWS], { env: { COLUMNS: '100' } });
    expect(host.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    // the name may wrap in the detail column: read it without the table's borders and breaks
    expect(host.stdout.replace(/[│\s]/g, '')).toContain('evil\\x1b[31m.example\\r\\n.com');
    for (const line of host.stdout.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it('refuses keys and flags that cannot work, with exit 2', async () => {
    for (const args of [['--by', 'peer'], ['--by', 'src/40/200'], ['--host', 'nope'], ['--bin', 'soon'], ['--top', '-1']]) {
      const r = await fir(['flows', ...args, FLOWS]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^fir flows: /);
    }
  });

  it('reports malformed and foreign lines, counts the rest, and exits 1', async () => {
    const r = await fir(['flows', '--by', 'src', path.join(TESTDATA, 'flows', 'bad.ndjson')]);
    expect(r.exitCode).toBe(1);
    expect(records(r.stdout)).toMatchObject([{ key: '10.0.0.1', flows: 2 }]);
    expect(r.stderr).toMatch(/bad\.ndjson:2: not JSON/);
    expect(r.stderr).toMatch(/bad\.ndjson:3: not a flow record \(kind event\)/);
  });

  it('a distinct count added to a grouping leaves its summaries as they were', async () => {
    const plain = records((await fir(['flows', '--by', 'src,dport', FLOWS])).stdout);
    const withDistinct = records((await fir(['flows', '--by', 'src,dport', '--distinct', 'dns.qname', FLOWS])).stdout);
    expect(withDistinct.map(({ distinct_dns_qname: _, ...x }) => x)).toEqual(plain);
  });
});
