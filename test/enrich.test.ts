// fir enrich on the fixtures of testdata/enrich: names, MACs, users, leases, CMDB, and the
// records it writes pass the contract's checker.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TESTDATA, checkRecords, fir, hasShared, records } from './helpers.js';

const D = path.join(TESTDATA, 'enrich');
const all = ['enrich', '--flows', path.join(D, 'flows.ndjson'), '--users', path.join(D, 'users.csv'), '--leases', path.join(D, 'dhcpd.leases'), '--leases', path.join(D, 'dnsmasq.leases'), '--cmdb', path.join(D, 'cmdb.csv'), '--cmdb-url', 'https://cmdb.example/asset?ip={ip}&mac={mac}'];

describe('fir enrich', () => {
  it('adds source and target context from flows, users, leases and the CMDB', async () => {
    const r = await fir([...all, path.join(D, 'events.ndjson')]);
    expect(r.exitCode).toBe(1); // the fixtures carry bad lines on purpose
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `fir enrich: ${path.join(D, 'users.csv')}:5: not an IP or MAC address: 10.0.0.999`,
      `fir enrich: ${path.join(D, 'dhcpd.leases')}:14: lease of something that is not an address: not-an-address`,
      `fir enrich: ${path.join(D, 'dnsmasq.leases')}:3: not a dnsmasq lease line (EXPIRY MAC ADDRESS NAME CLIENT-ID) nor an ISC dhcpd lease`,
      `fir enrich: ${path.join(D, 'flows.ndjson')}:10: not JSON (unexpected token 'o', "not json" is not valid JSON)`,
    ]);
    const [ssh, evil] = records(r.stdout);
    expect(ssh).toMatchObject({
      id: 'ev-ssh',
      src_host: 'ana-laptop.corp.example',
      src_host_at_detection: 'ana-laptop.corp.example',
      src_mac: '00:0c:29:4f:8e:35',
      src_user: 'ana',
      cmdb: { name: 'LAP-0042', owner: 'Ana García', url: 'https://cmdb.example/asset?ip=192.168.1.100&mac=00%3A0c%3A29%3A4f%3A8e%3A35' },
    });
    const fs = ssh!.target_info.find((t: { ip: string }) => t.ip === '192.168.1.225');
    // renamed after the event: the name then and the name now differ
    expect(fs).toMatchObject({ host: 'fileserver-new.corp.example', host_at_detection: 'fileserver.corp.example', mac: '3c:52:82:1a:7e:e1', user: 'svc-backup', cmdb: { name: 'FS01', location: 'Room 2, rack 4' } });
    expect(ssh!.target_info.map((t: { ip: string; host?: string }) => [t.ip, t.host])).toEqual([
      ['192.168.1.77', 'printer-3f'],
      ['192.168.1.88', 'build-box'],
      ['192.168.1.225', 'fileserver-new.corp.example'],
    ]);
    // the users file says bob had the address by then
    expect(evil!.src_user).toBe('bob');
    // an attacker-chosen DNS name is carried as data (escaped by every terminal/HTML writer)
    expect(evil!.target_info[0].host).toBe('<script>alert(1)</script>.evil.example');
    if (hasShared) {
      const c = await checkRecords(r.stdout);
      expect(c.output).toMatch(/0 problems/);
      expect(c.ok).toBe(true);
    }
  });

  it('enriches flows with --flows-too and passes them through otherwise', async () => {
    const input = '{"kind":"flow","start":"2026-11-27T10:03:07.412Z","end":"2026-11-27T10:03:09.118Z","proto":"tcp","src":"192.168.1.100","sport":51514,"dst":"192.168.1.225","dport":22,"pkts":24,"bytes":3290}\n';
    const plain = await fir(['enrich', '--flows', path.join(D, 'flows.ndjson')], { input });
    expect(plain.stdout).toBe(input);
    const r = await fir(['enrich', '--flows', path.join(D, 'flows.ndjson'), '--flows-too', '--users', path.join(D, 'users.csv')], { input });
    const [f] = records(r.stdout);
    expect(f).toMatchObject({ src_host: 'ana-laptop.corp.example', src_mac: '00:0c:29:4f:8e:35', src_user: 'ana', dst_host: 'fileserver.corp.example', dst_mac: '3c:52:82:1a:7e:e1', dst_user: 'svc-backup' });
    if (hasShared) expect((await checkRecords(r.stdout)).ok).toBe(true);
  });

  it('reports usage errors with exit 2', async () => {
    let r = await fir(['enrich', '--cmdb-url', 'https://x/{nope}'], { input: '' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown placeholder \{nope\}/);
    r = await fir(['enrich', '--users', path.join(D, 'missing.csv')], { input: '' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--users: cannot read .*missing.csv: ENOENT/);
    r = await fir(['enrich', '--cmdb', path.join(D, 'cmdb-nokey.csv')], { input: '' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/needs an ip \(or address\) or mac column/);
  });
});
