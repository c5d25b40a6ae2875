// fir ingest for other tools' files: nfdump (csv, json, ndjson), Zeek conn.log (TSV, JSON, with
// dns.log/dhcp.log joined), Suricata eve.json, Argus ra CSV and any CSV with --map. The
// nfdump and Argus fixtures were written by nfpcapd/nfdump 1.7.1 and argus/ra 3.0 from
// testdata/netflow/small.pcap; the Zeek and Suricata ones by hand in their documented formats.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRecords, fir, hasShared, records } from './helpers.js';

const F = 'testdata/formats';
const sum = (rs: Record<string, any>[]) => rs.reduce((a, r) => ({ flows: a.flows + 1, pkts: a.pkts + r.pkts + (r.rpkts ?? 0), bytes: a.bytes + r.bytes + (r.rbytes ?? 0) }), { flows: 0, pkts: 0, bytes: 0 });

async function ingest(args: string[], input?: string) {
  const r = await fir(['ingest', ...args], input !== undefined ? { input } : {});
  if (hasShared && r.stdout) expect((await checkRecords(r.stdout)).output).toMatch(/ 0 problems/);
  return { ...r, recs: records(r.stdout) };
}

describe('nfdump', () => {
  it('csv with header and summary, csv without (-q), json and ndjson give the same flows', async () => {
    const csv = await ingest([`${F}/nfpcapd.csv`]);
    const q = await ingest([`${F}/nfpcapd-q.csv`]);
    const json = await ingest([`${F}/nfpcapd.json`]);
    for (const r of [csv, q, json]) {
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toBe('');
    }
    expect(sum(csv.recs)).toEqual({ flows: 312, pkts: 2956, bytes: 1_939_034 });
    expect(sum(q.recs)).toEqual(sum(csv.recs));
    expect(sum(json.recs)).toEqual(sum(csv.recs));
    // csv has whole seconds, json has milliseconds
    expect(json.recs[0].start).toBe('2023-11-14T22:13:30.519Z');
    expect(csv.recs[0].start).toBe('2023-11-14T22:13:30.000Z');
    expect(csv.recs.find((r) => r.proto === 'icmp')).toMatchObject({ icmp_type: 8, icmp_code: 0 });
    const nd = await ingest([`${F}/nfpcapd-40.ndjson`]);
    expect(nd.recs).toHaveLength(40);
    expect(nd.recs.map((r) => r.start)).toEqual(json.recs.slice(0, 40).map((r) => r.start));
  });

  it('--biflow pairs nfdump\'s unidirectional records', async () => {
    const r = await ingest(['--biflow', `${F}/nfpcapd.csv`]);
    expect(r.recs).toHaveLength(156);
    const ssh = r.recs.filter((x) => x.rpkts !== undefined);
    expect(ssh.length).toBeGreaterThan(140);
  });

  it('reports bad rows as FILE:LINE and keeps going', async () => {
    const text = 'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt\n2023-11-14 22:13:30,2023-11-14 22:13:31,1.0,10.0.0.1,10.0.0.2,1,22,TCP,....A.S.,0,0,2,120\n2023-11-14 22:13:30,bad,1.0,10.0.0.1,10.0.0.2,1,22,TCP,,0,0,2,120\nhello\n2023-11-14 22:13:30,2023-11-14 22:13:31,1.0,10.0.0.1,10.0.0.2,1,22,TCP\n';
    const r = await ingest(['--format', 'nfdump-csv', '-'], text);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('fir ingest: stdin:3: bad time bad\nfir ingest: stdin:4: not an nfdump csv row\nfir ingest: stdin:5: 8 fields, the header has 13\n');
    expect(r.recs).toHaveLength(1);
    expect(r.recs[0]).toMatchObject({ flags: 'AS', pkts: 2, bytes: 120, origin: 'stdin:2' });
  });
});

describe('Zeek', () => {
  it('conn.log TSV: flows with both directions, states, flags from history, dns.log and dhcp.log joined by uid', async () => {
    const r = await ingest([`${F}/zeek-tsv/conn.log`]);
    expect(r.exitCode).toBe(1); // a masked time and a cut line
    expect(r.stderr).toBe(`fir ingest: ${F}/zeek-tsv/conn.log:15: ts XXXXXXXXXX.XXXXXX is not a time\nfir ingest: ${F}/zeek-tsv/conn.log:16: no id.orig_h or id.resp_h\n`);
    expect(r.recs).toHaveLength(6);
    expect(r.recs[0]).toMatchObject({ proto: 'tcp', src: '192.168.1.100', dport: 22, pkts: 24, bytes: 3290, rpkts: 22, rbytes: 4185, state: 'SF', flags: 'ASF', app: 'ssh', smac: '00:0c:29:4f:8e:35' });
    expect(r.recs[1].dns).toEqual({ qname: 'fileserver.corp.lan', qtype: 'A', rcode: 'NOERROR', answers: ['192.168.1.100'] });
    expect(r.recs[3]).toMatchObject({ state: 'REJ', flags: 'S', rflags: 'R' });
    expect(r.recs[4]).toMatchObject({ proto: 'icmp', icmp_type: 8, icmp_code: 0 });
    expect(r.recs[5].dhcp).toMatchObject({ msg: 'ACK', client_mac: '3c:52:82:1a:7e:e1', yiaddr: '192.168.1.225', server_id: '192.168.1.100', lease_s: 3600 });
  });

  it('JSON logs, with ISO and epoch times, ICMPv6 and the JSON dns.log joined', async () => {
    const r = await ingest([`${F}/zeek-json/conn.log`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/conn\.log:5: not JSON/);
    expect(r.recs.map((x) => x.proto)).toEqual(['tcp', 'udp', 'tcp', 'icmp6']);
    expect(r.recs[1].dns).toMatchObject({ qname: 'files.corp.lan', qtype: 'AAAA' });
  });

  it('a Zeek log other than conn.log given directly is passed over with a note', async () => {
    const r = await ingest([`${F}/zeek-tsv/dns.log`]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.recs).toHaveLength(0);
    expect(r.stderr).toMatch(/records of a Zeek log other than conn\.log passed over/);
  });
});

describe('Suricata eve.json', () => {
  it('flow and netflow events become flows, dns/dhcp attach by flow_id, alerts become IDS events', async () => {
    const r = await ingest([`${F}/eve.json`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`fir ingest: ${F}/eve.json:13: no src_ip or dest_ip\nfir ingest: ${F}/eve.json:14: not JSON (Unterminated string in JSON at position 78)\n`);
    const ev = r.recs.filter((x) => x.kind === 'event');
    const flows = r.recs.filter((x) => x.kind === 'flow');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ method: 'IDS', submethod: 'ATTEMPTED_INFORMATION_LEAK', title: 'ET SCAN Potential SSH Scan', priority: 'medium', src: '192.168.1.100', targets: ['192.168.1.225'], ports: [22] });
    // the alert names the flow it belongs to
    const ssh = flows.find((f) => f.dport === 22)!;
    expect(ev[0].evidence.flows).toEqual([ssh.id]);
    // Ethernet frame bytes - 14 per packet = IP bytes
    expect(ssh).toMatchObject({ pkts: 24, bytes: 3290, rpkts: 22, rbytes: 4185, flags: 'APSF', rflags: 'APSF', state: 'SF' });
    expect(flows.find((f) => f.dport === 53)!.dns).toEqual({ qname: 'fileserver.corp.lan', qtype: 'A', rcode: 'NOERROR', answers: ['192.168.1.100'] });
    expect(flows.find((f) => f.dport === 67)!.dhcp).toMatchObject({ msg: 'OFFER', yiaddr: '192.168.1.225', router: '192.168.1.100', hostname: 'victim\u001b[31m' });
    expect(flows.find((f) => f.dport === 80)).toMatchObject({ flags: 'S', state: 'S0', rpkts: 0 });
    // netflow events are one direction each; --biflow pairs them
    expect(flows.filter((f) => f.app === 'ntp' && f.rpkts === undefined)).toHaveLength(2);
    const bi = await ingest(['--biflow', `${F}/eve.json`]);
    expect(bi.recs.filter((f) => f.app === 'ntp')).toHaveLength(1);
    expect(bi.recs.filter((x) => x.kind === 'event')).toHaveLength(1);
  });
});

describe('Argus', () => {
  it('ra CSV: bidirectional flows, wire bytes turned into IP bytes', async () => {
    const r = await ingest([`${F}/argus.csv`]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    // the same 3000 packets the capture has; argus's 5 s status records split long flows
    expect(sum(r.recs)).toMatchObject({ flows: 162, pkts: 3000 });
    const cap = await ingest(['testdata/netflow/small.pcap']);
    const capSum = sum(cap.recs);
    // Argus counts Ethernet padding of short frames too: at most 18 bytes a packet more
    expect(sum(r.recs).bytes - capSum.bytes).toBeGreaterThanOrEqual(0);
    expect(sum(r.recs).bytes - capSum.bytes).toBeLessThanOrEqual(18 * capSum.pkts);
  });

  it('says how to fix times without a date', async () => {
    const r = await ingest(['--format', 'argus', '-'], 'StartTime,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,TotPkts,TotBytes\n22:13:20.914062,tcp,10.0.0.120,50522,->,65.66.4.144,smtp,9,2355\n');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('fir ingest: stdin:2: time 22:13:20.914062 has no date: write it with ra -u (epoch seconds)\n');
  });
});

describe('CSV with --map', () => {
  const map = 'start=Start,end=End,proto=Protocol,src=SrcAddr,sport=SrcPort,dst=DstAddr,dport=DstPort,pkts=Packets,bytes=Octets,rpkts=RevPackets,rbytes=RevOctets,flags=TcpFlags';
  it('maps columns, sniffs each time format, canonicalises addresses and reports bad rows', async () => {
    const r = await ingest(['--map', map, `${F}/generic.csv`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`fir ingest: ${F}/generic.csv:6: bad start time yesterday\nfir ingest: ${F}/generic.csv:7: bad address 192.168.1.300\n`);
    expect(r.recs.map((x) => x.start)).toEqual(['2026-11-27T10:03:07.412Z', '2026-11-27T10:03:10.001Z', '2026-11-27T10:03:11.500Z', '2026-11-27T10:03:12.250Z']);
    expect(r.recs[3]).toMatchObject({ src: '2001:db8::1', flags: 'S' });
    expect(r.recs[2]).toMatchObject({ proto: 'tcp', flags: 'S' });
  });
  it('--time-format names the format', async () => {
    const r = await ingest(['--map', 'start=t,src=s,dst=d,pkts=p,bytes=b', '--time-format', 'epoch-ms', '-'], 't,s,d,p,b\n1795773787412,10.0.0.1,10.0.0.2,1,40\n');
    expect(r.recs[0].start).toBe('2026-11-27T10:03:07.412Z');
    const bad = await fir(['ingest', '--map', 'start=t,src=s,dst=d,pkts=p,bytes=b', '--time-format', 'julian', '-'], { input: 't,s,d,p,b\n1,10.0.0.1,10.0.0.2,1,40\n' });
    expect(bad.exitCode).toBe(2);
  });
  it('a CSV without --map, or without a mapped column, is skipped with a diagnostic that says what to do', async () => {
    const r = await fir(['ingest', `${F}/generic.csv`, `${F}/nfpcapd-40.ndjson`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`fir ingest: ${F}/generic.csv:1: a CSV file: say which column holds which field with --map FIELD=COLUMN,… (for example src=SrcAddr,dst=DstAddr,start=Start,proto=Proto,pkts=Packets,bytes=Bytes)\n`);
    expect(records(r.stdout)).toHaveLength(40); // the other input is still read
    const nocol = await fir(['ingest', '--map', 'start=Start,src=Nope,dst=DstAddr,pkts=Packets,bytes=Octets', `${F}/generic.csv`]);
    expect(nocol.exitCode).toBe(1);
    expect(nocol.stderr).toMatch(/generic\.csv:1: --map: the header has no column Nope/);
    const unknown = await fir(['ingest', '--map', 'start=Start,src=SrcAddr,dst=DstAddr,pkts=Packets,bytes=Octets,colour=TcpFlags', `${F}/generic.csv`]);
    expect(unknown.exitCode).toBe(2);
  });
});

describe('Zeek corpus (masked timestamps)', () => {
  it('reads every conn.log of ../shared/corpus/zeek without a crash, reporting masked times line by line', async () => {
    if (!hasShared) return;
    const { readdirSync } = await import('node:fs');
    const dir = path.resolve('..', 'shared', 'corpus', 'zeek', 'conn');
    const files = readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => path.join(dir, f));
    const r = await fir(['ingest', '--format', 'zeek', ...files]);
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    // every diagnostic names FILE:LINE and is one of the reasons a masked or partial log gives
    for (const l of lines) expect(l).toMatch(/^fir ingest: \S+\.conn\.log(:\d+: (ts XXXXXXXXXX\.XXXXXX is not a time|a Zeek TSV line before the #fields header)|: \d+ more lines without a #fields header skipped)$/);
    expect(r.stdout).toBe('');
  });
});
