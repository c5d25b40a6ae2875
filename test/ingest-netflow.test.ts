// fir ingest for NetFlow/IPFIX: captures of export datagrams (--format netflow) and the live
// collector (--listen), fed by a small UDP sender on 127.0.0.1 / ::1 that replays the
// datagrams softflowd exported for testdata/netflow/small.pcap.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportCaptureWalker, type Datagram } from '../src/formats/netflow/pcap-export.js';
import { TESTDATA, checkRecords, fir, hasShared, records } from './helpers.js';
import { collector, sum, until } from './ingest-netflow-helpers.js';

const NF = path.join(TESTDATA, 'netflow');

function datagrams(file: string): Datagram[] {
  const b = readFileSync(path.join(NF, file));
  const out: Datagram[] = [];
  new ExportCaptureWalker(() => {}).feed(b, 0, b.length, out);
  return out;
}

async function send(host: string, port: number, payloads: Buffer[]): Promise<void> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  for (const p of payloads) {
    await new Promise<void>((resolve, reject) => sock.send(p, port, host, (e) => (e ? reject(e) : resolve())));
    await new Promise((r) => setTimeout(r, 2));
  }
  sock.close();
}

describe('fir ingest --format netflow (captures of export datagrams)', () => {
  it('decodes v5, v9, IPFIX and RFC 5103 IPFIX of the same capture to the same totals', async () => {
    const totals: Record<string, unknown> = {};
    for (const v of ['v9', 'ipfix', 'ipfix-ms', 'ipfix-biflow']) {
      const r = await fir(['ingest', '--format', 'netflow', path.join('testdata/netflow', `export-${v}.pcap`)]);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      const s = sum(records(r.stdout));
      totals[v] = { pkts: s.pkts, bytes: s.bytes };
      if (hasShared) expect((await checkRecords(r.stdout)).output).toMatch(/0 problems/);
    }
    expect(new Set(Object.values(totals).map((t) => JSON.stringify(t))).size).toBe(1);
    const ng = await fir(['ingest', '--format', 'netflow', 'testdata/netflow/export-v9.pcapng']);
    expect(sum(records(ng.stdout))).toEqual({ flows: 300, ...(totals.v9 as object) });
    const v5 = await fir(['ingest', '--format', 'netflow', 'testdata/netflow/export-v5.pcap']);
    expect(records(v5.stdout)).toHaveLength(288); // NetFlow v5 has no IPv6
  });

  it('--biflow turns softflowd\'s export back into the flows fir meters from the capture itself', async () => {
    const paired = records((await fir(['ingest', '--format', 'netflow', '--biflow', 'testdata/netflow/export-ipfix.pcap'])).stdout);
    const captured = records((await fir(['ingest', 'testdata/netflow/small.pcap'])).stdout);
    expect(paired).toHaveLength(captured.length);
    const byId = new Map(captured.map((r) => [r.community_id, r]));
    for (const r of paired) {
      const c = byId.get(r.community_id)!;
      expect(c, r.community_id).toBeDefined();
      // the originator, the packets of each direction and the flags are the same; softflowd
      // rounds times to the ms and counts Ethernet padding of short frames (<= 18 bytes a packet)
      expect([r.src, r.sport, r.pkts, r.rpkts, r.flags, r.rflags]).toEqual([c.src, c.sport, c.pkts, c.rpkts, c.flags, c.rflags]);
      expect(Math.abs(Date.parse(r.start) - Date.parse(c.start))).toBeLessThanOrEqual(1);
      expect(r.bytes - c.bytes).toBeGreaterThanOrEqual(0);
      expect(r.bytes - c.bytes).toBeLessThanOrEqual(18 * r.pkts);
    }
  });

  it('RFC 5103 biflow records carry both directions without --biflow', async () => {
    const r = records((await fir(['ingest', '--format', 'netflow', 'testdata/netflow/export-ipfix-biflow.pcap'])).stdout);
    expect(r).toHaveLength(153);
    expect(r.every((x) => x.rpkts !== undefined)).toBe(true);
    expect(r.find((x) => x.dport === 4 && x.src === '10.0.66.6')).toMatchObject({ flags: 'S', rflags: 'AR', state: 'REJ' });
  });

  it('reports damaged export packets as FILE: packet N and goes on', async () => {
    const r = await fir(['ingest', '--format', 'netflow', 'testdata/netflow/damaged-export.pcap']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^fir ingest: testdata\/netflow\/damaged-export\.pcap: packet 2: /m);
    expect(records(r.stdout).length).toBeGreaterThan(200);
  });
});

describe('fir ingest --listen (live collector)', () => {
  it('writes the flows of v9 and IPFIX exporters as they arrive, then exits 0 on SIGTERM with per-exporter stats', async () => {
    const c = await collector('udp://127.0.0.1:0', ['--stats-interval', '0']);
    const v9 = datagrams('export-v9.pcap').map((d) => d.payload);
    const ipfix = datagrams('export-ipfix.pcap').map((d) => d.payload);
    await send('127.0.0.1', c.port, v9);
    await until(() => c.stdout().split('\n').length > 300);
    // a second exporter address would need another interface; one address, two streams of templates
    await send('127.0.0.1', c.port, [Buffer.from([0, 9, 0, 1, 1, 2, 3]), ...ipfix]);
    await until(() => c.stdout().split('\n').length > 600);
    c.proc.kill('SIGTERM');
    const res = await c.proc;
    expect(res.exitCode).toBe(0);
    const recs = records(c.stdout());
    expect(sum(recs)).toEqual({ flows: 600, pkts: 6000, bytes: 2 * 1_971_283 });
    expect(c.stderr()).toMatch(/fir ingest: 127\.0\.0\.1: packet 11: v9 header needs 20 bytes, datagram has 7/);
    expect(c.stderr()).toMatch(/fir ingest: exporter 127\.0\.0\.1: 21 packets, 600 flows, 1 errors/);
    if (hasShared) expect((await checkRecords(c.stdout())).output).toMatch(/0 problems/);
  });

  it('listens on IPv6 and pairs directions with --biflow, flushing what is held at exit', async () => {
    const c = await collector('udp://[::1]:0', ['--biflow', '--stats-interval', '0']);
    await send('::1', c.port, datagrams('export-ipfix.pcap').map((d) => d.payload));
    await until(() => c.stdout().split('\n').length > 100);
    c.proc.kill('SIGINT');
    const res = await c.proc;
    expect(res.exitCode).toBe(0);
    const recs = records(c.stdout());
    expect(recs).toHaveLength(150);
    expect(sum(recs).pkts).toBe(3000);
    expect(recs.filter((r) => r.rpkts !== undefined).length).toBeGreaterThan(140);
    expect(c.stderr()).toMatch(/exporter ::1: 10 packets, 300 flows, 0 errors/);
  });

  it('refuses a listen address that is not udp://HOST:PORT', async () => {
    const r = await fir(['ingest', '--listen', 'tcp://127.0.0.1:2055']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--listen tcp:\/\/127\.0\.0\.1:2055: expected udp:\/\/HOST:PORT/);
  });
});
