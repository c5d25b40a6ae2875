// The filter language as plain triples: expression, record (by id from testdata/filter/), expected.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../src/core/filter.js';
import { TESTDATA } from './helpers.js';

const load = (f: string) => readFileSync(path.join(TESTDATA, 'filter', f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
const byId = new Map<string, Record<string, unknown>>();
for (const r of [...load('flows.ndjson'), ...load('events.ndjson')]) byId.set(r.id as string, r);
const summaries = load('summaries.ndjson');
byId.set('s-src', summaries[0]);
byId.set('s-dst', summaries[1]);
byId.set('s-dport', summaries[2]);
byId.set('s-src6', summaries[3]);
byId.set('bin', summaries[4]);
// f1 ssh 192.168.1.100:51514 -> .225:22 SF   f2 SYN to 3389 answered RST   f3 SYN to 445, one direction
// f4 dns WWW.Example.COM via 8.8.8.8   f5 dns notexample.com. NXDOMAIN   f6 arp request   f7 IPv6 tls, vlan 20, 12.5 MB
// f8 icmp6 router advert   f9 icmp echo   f10 dhcp discover   f11 sctp (proto "132")   f12 UPF xmas-ish probe
// e1 DHCPANOM high   e2 SCANS/ARP medium   e3 SCANS/TCPSYN high   e4 SSHDICT critical   e5 DNSANOMALY low   e6 HIGHTRANSF info

const CASES: [string, string, boolean][] = [
  // addresses
  ['host 192.168.1.100', 'f1', true],
  ['ip 192.168.1.225', 'f1', true],
  ['src ip 192.168.1.225', 'f1', false],
  ['dst host 192.168.1.225', 'f1', true],
  ['src 192.168.1.100', 'f1', true],
  ['dst 192.168.1.0/24', 'f1', true],
  ['host 192.168.1.10', 'f1', false],
  ['net 192.168.0.0/16', 'f1', true],
  ['src net 10.0.0.0/8', 'f1', false],
  ['net 192.168.1.0 mask 255.255.255.0', 'f1', true],
  ['net 192.168.2.0 255.255.255.0', 'f1', false],
  ['net 0.0.0.0/0', 'f1', true],
  ['net 0.0.0.0/0', 'f7', false],
  ['ip in [10.0.0.1 192.168.1.225 2001:db8::/32]', 'f1', true],
  ['src ip in [10.0.0.1, 2001:db8::/32]', 'f1', false],
  ['src ip in [10.0.0.1, 2001:db8::/32]', 'f7', true],
  ['host 2001:db8::10', 'f7', true],
  ['host 2001:DB8:0:0:0:0:0:10', 'f7', true],
  ['dst host 2001:db8:0:1:0:0:0:443', 'f7', true],
  ['net 2001:db8::/32', 'f7', true],
  ['dst net 2001:db8:0:1::/64', 'f7', true],
  ['src net 2001:db8:0:1::/64', 'f7', false],
  ['net 2001:db8::/32', 'f1', false],
  ['host 192.168.1.7', 'f6', true],
  ['ipv6', 'f7', true],
  ['ipv6', 'f1', false],
  ['inet', 'f1', true],
  // ports
  ['port 22', 'f1', true],
  ['dst port 22', 'f1', true],
  ['src port 22', 'f1', false],
  ['port 22', 'f6', false],
  ['port != 22', 'f6', false],
  ['not port 22', 'f6', true],
  ['dst port > 1024', 'f2', true],
  ['dst port gt 1024', 'f1', false],
  ['dst port <= 445', 'f3', true],
  ['src port >= 50000', 'f1', true],
  ['dst port != 22', 'f1', false],
  ['port != 22', 'f1', true],
  ['port in [22 3389]', 'f2', true],
  ['dst port in [1-1023]', 'f3', true],
  ['dst port in [1-1023]', 'f2', false],
  ['port 2905', 'f11', true],
  // protocols
  ['proto tcp', 'f1', true],
  ['proto TCP', 'f1', true],
  ['proto 6', 'f1', true],
  ['proto udp', 'f1', false],
  ['udp', 'f4', true],
  ['proto arp', 'f6', true],
  ['proto icmp6', 'f8', true],
  ['proto 58', 'f8', true],
  ['proto icmp', 'f8', false],
  ['proto sctp', 'f11', true],
  ['proto 132', 'f11', true],
  ['proto in [tcp udp]', 'f6', false],
  ['icmp-type 8', 'f9', true],
  ['icmp-type 8', 'f8', false],
  // TCP flags (nfdump: every flag named is set; flags = originator, rflags = responder)
  ['flags S', 'f2', true],
  ['flags S and not flags AFRPU', 'f2', true],
  ['flags S and not flags AFRPU', 'f1', false],
  ['flags SA', 'f1', true],
  ['flags R', 'f2', false],
  ['rflags R', 'f2', true],
  ['dst flags AR', 'f2', true],
  ['src flags R', 'f2', false],
  ['flags FPU', 'f12', true],
  ['flags X', 'f12', false],
  ['not flags RU', 'f1', true],
  ['not flags RU', 'f12', false],
  ['not flags RU', 'f2', true],
  ['not rflags RU', 'f2', false],
  ['not (flags AFRPU or port 80)', 'f12', false],
  ['not not flags AF', 'f12', false],
  ['not not flags PF', 'f12', true],
  ['flags S', 'f4', false],
  ['not flags S', 'f4', true],
  // counters: packets/bytes are both directions; src/dst one each
  ['packets > 40', 'f1', true],
  ['src packets > 40', 'f1', false],
  ['dst packets == 22', 'f1', true],
  ['packets 46', 'f1', true],
  ['bytes > 10M', 'f7', true],
  ['bytes > 12.6M', 'f7', false],
  ['dst bytes >= 12.5m', 'f7', true],
  ['src bytes < 1k', 'f2', true],
  ['packets > 1k', 'f7', true],
  ['dst packets > 0', 'f3', false],
  ['packets 1', 'f3', true],
  ['bytes > 1G', 'f7', false],
  ['duration > 5m', 'f7', true],
  ['duration > 400s', 'f7', false],
  ['duration >= 400s', 'f7', true],
  ['duration < 1000', 'f4', true],
  ['duration == 2.5s', 'f10', true],
  ['duration 0', 'f2', true],
  ['vlan 20', 'f7', true],
  ['vlan 20', 'f1', false],
  ['vlan != 20', 'f1', false],
  // times: the record's time at the precision written
  ['start >= 2026-11-27T10:00', 'f1', true],
  ['start < 2026-11-27T10:00', 'f4', true],
  ['start = 2026-11-27T10:03', 'f1', true],
  ['start = 2026-11-27T10', 'f1', true],
  ['start = 2026-11-27', 'f1', true],
  ['start = 2026-11-28', 'f1', false],
  ['start > 2026-11-27T10:03', 'f1', false],
  ['start <= 2026-11-27T10:03', 'f1', true],
  ['start > 2026-11-27T10:03:07', 'f1', false],
  ['start > 2026-11-27T10:03:07.411', 'f1', true],
  ['start == 2026-11-27T10:03:07.412Z', 'f1', true],
  ['end < 2026-11-27T10:03:09.2', 'f1', true],
  ['end > 2026-11-27T10:16', 'f7', false],
  ['end >= 2026-11-27T10:16', 'f7', true],
  ['end > 2026-11-27T10:16:39', 'f7', true],
  ['start != 2026-11-27T10:03', 'f1', false],
  // layer 2
  ['mac 00:0c:29:4f:8e:35', 'f1', true],
  ['mac 00-0C-29-4F-8E-35', 'f1', true],
  ['src mac 00:0c:29:4f:8e:35', 'f1', true],
  ['dst mac 00:0c:29:4f:8e:35', 'f1', false],
  ['dst mac ff:ff:ff:ff:ff:ff', 'f6', true],
  ['mac 00:0c:29:4f:8e:35', 'f8', false],
  // application fields
  ['app ssh', 'f1', true],
  ['app SSH', 'f1', true],
  ['app != ssh', 'f1', false],
  ['app != ssh', 'f7', true],
  ['app != ssh', 'f9', false],
  ['app in [dns dhcp]', 'f10', true],
  ['state SF', 'f1', true],
  ['state in [S0 REJ]', 'f2', true],
  ['state REJ', 'f1', false],
  ['dns name example.com', 'f4', true],
  ['dns name www.example.com', 'f4', true],
  ['dns name = example.com', 'f4', false],
  ['dns name = www.example.com.', 'f4', true],
  ['dns name example.com', 'f5', false],
  ['dns name notexample.com', 'f5', true],
  ['dns name com', 'f5', true],
  ['dns name != www.example.com', 'f5', true],
  ['dns name example.com', 'f1', false],
  ['dns name "EXAMPLE.com"', 'f4', true],
  ['dns qtype AAAA', 'f5', true],
  ['dns rcode nxdomain', 'f5', true],
  ['dns rcode nxdomain', 'f4', false],
  ['kind flow', 'f1', true],
  ['kind event', 'f1', false],
  // events
  ['kind event', 'e1', true],
  ['method SCANS', 'e2', true],
  ['method scans', 'e3', true],
  ['method SCANS and submethod ARP', 'e3', false],
  ['method SCANS and submethod ARP', 'e2', true],
  ['submethod in [ARP TCPSYN]', 'e3', true],
  ['method != SCANS', 'e4', true],
  ['priority >= high', 'e1', true],
  ['priority >= high', 'e2', false],
  ['priority >= high', 'e4', true],
  ['priority high', 'e3', true],
  ['priority < medium', 'e5', true],
  ['priority <= info', 'e6', true],
  ['priority > info', 'e6', false],
  ['priority in [low medium]', 'e2', true],
  ['priority in [low, critical]', 'e3', false],
  ['priority >= low', 'f1', false],
  ['target 192.168.1.225', 'e4', true],
  ['target 192.168.1.225', 'e2', true],
  ['target 192.168.1.225', 'e3', false],
  ['target net 192.168.1.0/24', 'e5', false],
  ['target net 192.168.1.0/24', 'e3', true],
  ['target in [8.8.8.8 1.1.1.1]', 'e5', true],
  ['target 2001:db8:0:1::443', 'e6', true],
  ['target 192.168.1.225', 'f1', false],
  ['host 192.168.1.100', 'e1', true],
  ['host 192.168.1.225', 'e4', true],
  ['src host 192.168.1.225', 'e4', false],
  ['dst host 192.168.1.225', 'e4', true],
  ['net 192.168.1.0/24', 'e5', true],
  ['port 22', 'e4', true],
  ['dst port 445', 'e3', true],
  ['src port 22', 'e4', false],
  ['port 22', 'e1', false],
  ['proto udp', 'e5', true],
  ['mac 00:0c:29:4f:8e:35', 'e1', true],
  ['src mac 00:0c:29:4f:8e:35', 'e2', false],
  ['tactic credential-access', 'e4', true],
  ['tactic credential-access', 'e3', false],
  ['technique T1110', 'e4', true],
  ['technique t1110.001', 'e4', true],
  ['technique T1110.002', 'e4', false],
  ['technique T1557', 'e1', true],
  ['technique T1110', 'e6', false],
  ['start >= 2026-11-27T10:00 and priority >= high', 'e3', true],
  // summaries and bins
  ['host 192.168.1.100', 's-src', true],
  ['src host 192.168.1.100', 's-src', true],
  ['dst host 192.168.1.100', 's-src', false],
  ['dst host 192.168.1.225', 's-dst', true],
  ['net 2001:db8::/32', 's-src6', true],
  ['port 22', 's-dport', true],
  ['dst port 22', 's-dport', true],
  ['src port 22', 's-dport', false],
  ['flows >= 3', 's-src', true],
  ['packets > 50', 's-dst', true],
  ['bytes > 10M', 's-src6', true],
  ['kind bin and flows 2', 'bin', true],
  ['host 192.168.1.100', 'bin', false],
  // logic: not > and > or; parentheses
  ['any', 'f1', true],
  ['not any', 'f1', false],
  ['port 22 or port 53 and proto tcp', 'f4', false],
  ['port 22 or port 53 and proto udp', 'f4', true],
  ['port 53 and proto tcp or port 22', 'f1', true],
  ['(port 22 or port 53) and proto tcp', 'f4', false],
  ['not port 22 and proto tcp', 'f2', true],
  ['not (port 22 or proto tcp)', 'f2', false],
  ['! port 22 && proto tcp', 'f1', false],
  ['!port 22 || proto udp', 'f4', true],
  ['not not port 22', 'f1', true],
  ['NOT PORT 22 AND SRC NET 192.168.0.0/16', 'f2', true],
  ['((host 192.168.1.100))', 'f1', true],
  ['src net 192.168.1.0/24 and dst port 22 and flags S', 'f1', true],
];

describe('filter expressions against records', () => {
  it.each(CASES)('%s on %s is %s', (expr, id, expected) => {
    const rec = byId.get(id);
    expect(rec, `fixture record ${id}`).toBeDefined();
    expect(compileFilter(expr)(rec!)).toBe(expected);
  });

  it('-v (invert) is the exact complement', () => {
    for (const [expr, id] of CASES) {
      const rec = byId.get(id)!;
      expect(compileFilter(expr, { invert: true })(rec)).toBe(!compileFilter(expr)(rec));
    }
  });
});

describe('documented expressions', () => {
  it('every example of fir filter --help compiles', () => {
    const src = readFileSync(path.join(TESTDATA, '..', 'src', 'commands', 'filter.ts'), 'utf8');
    const exprs = [...src.matchAll(/\.example\("fir filter (?:-v )?'([^']+)'/g)].map((m) => m[1]);
    expect(exprs.length).toBeGreaterThan(6);
    for (const e of exprs) expect(() => compileFilter(e), e).not.toThrow();
  });
});
