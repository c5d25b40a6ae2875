import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../diag.js';
import { CidrSet } from '../net.js';
import { enrichRecord, type EnrichTables } from '../core/enrich.js';
import { History, HostTable, arpaAddress, cleanName } from './hosts.js';
import { Cmdb, Users, compileUrlTemplate, fileTime, loadLeases } from './identity.js';

const T = (s: string) => Date.parse(`2026-11-27T${s}Z`);
const diag = () => {
  const lines: string[] = [];
  return { d: new Diagnostics('enrich', { write: (s: string) => lines.push(s) }), lines };
};

describe('History', () => {
  it('gives the value valid at a time, the first one before any, and the latest', () => {
    const h = new History<string>();
    h.add(T('10:00:00'), 'a');
    h.add(T('12:00:00'), 'b');
    h.add(T('11:00:00'), 'c'); // out of order
    h.add(T('12:30:00'), 'b'); // repeat: merged
    expect(h.size).toBe(3);
    expect(h.at(T('09:00:00'))).toBe('a');
    expect(h.at(T('10:30:00'))).toBe('a');
    expect(h.at(T('11:00:00'))).toBe('c');
    expect(h.at(T('13:00:00'))).toBe('b');
    expect(h.latest()).toBe('b');
  });

  it('stays bounded', () => {
    const h = new History<string>();
    for (let i = 0; i < 1000; i++) h.add(i, `n${i}`);
    expect(h.size).toBe(History.MAX);
    expect(h.at(0)).toBe('n0');
    expect(h.latest()).toBe('n999');
  });
});

describe('names and MACs from flows', () => {
  it('maps reverse names to addresses', () => {
    expect(arpaAddress('100.1.168.192.in-addr.arpa')).toBe('192.168.1.100');
    expect(arpaAddress('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.')).toBe('2001:db8::1');
    expect(arpaAddress('example.com')).toBeUndefined();
    expect(cleanName('Host.Example.', true)).toBe('host.example');
  });

  it('does not name an address from a wildcard DNS server, and prefers PTR/DHCP names to forward answers', () => {
    const h = new HostTable();
    const dns = (t: string, qname: string, answer: string) =>
      h.flow({ kind: 'flow', start: `2026-11-27T${t}Z`, src: '10.0.0.225', dst: '10.0.0.100', dns: { qname, qtype: 'A', rcode: 'NOERROR', answers: [answer] } });
    // a rogue resolver answers every name with its own address
    for (const [i, n] of ['www.corp.lan', 'mail.corp.lan', 'intranet.corp.lan', 'update.vendor.com', 'www.bank.example'].entries()) dns(`10:0${i}:00.000`, n, '10.0.0.100');
    expect(h.latestName('10.0.0.100')).toBeUndefined();
    expect(h.nameAt('10.0.0.100', T('10:01:00'))).toBeUndefined();
    // an ordinary server with one name keeps it, until its own (PTR) name is learned
    dns('10:00:00.000', 'web01.corp.lan', '10.0.0.10');
    expect(h.latestName('10.0.0.10')).toBe('web01.corp.lan');
    h.flow({ kind: 'flow', start: '2026-11-27T10:09:00.000Z', src: '10.0.0.2', dst: '10.0.0.1', dns: { qname: '10.0.0.10.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answers: ['srv-web01.corp.lan.'] } });
    expect(h.latestName('10.0.0.10')).toBe('srv-web01.corp.lan');
  });

  it('learns from DNS A and PTR answers, DHCP and ARP; ignores failed lookups', () => {
    const h = new HostTable();
    h.flow({ kind: 'flow', start: '2026-11-27T10:00:00.000Z', src: '10.0.0.2', dst: '10.0.0.1', dns: { qname: 'WWW.example.', qtype: 'A', rcode: 'NOERROR', answers: ['93.184.216.34', 'cname.example'] } });
    h.flow({ kind: 'flow', start: '2026-11-27T10:00:00.000Z', src: '10.0.0.2', dst: '10.0.0.1', dns: { qname: 'x.example', qtype: 'A', rcode: 'NXDOMAIN', answers: ['10.9.9.9'] } });
    h.flow({ kind: 'flow', start: '2026-11-27T10:01:00.000Z', src: '10.0.0.2', dst: '10.0.0.1', dns: { qname: '5.0.0.10.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answers: ['db.corp.'] } });
    h.flow({ kind: 'flow', start: '2026-11-27T10:02:00.000Z', src: '10.0.0.1', dst: '10.0.0.7', dhcp: { msg: 'ACK', client_mac: '02:00:00:00:00:07', yiaddr: '10.0.0.7', hostname: 'Kiosk-7' } });
    h.flow({ kind: 'flow', start: '2026-11-27T10:03:00.000Z', proto: 'arp', src: '10.0.0.8', dst: '10.0.0.1', arp: { op: 'reply', sha: '02:00:00:00:00:08', spa: '10.0.0.8', tha: '00:00:00:00:00:00', tpa: '10.0.0.1' } });
    expect(h.latestName('93.184.216.34')).toBe('www.example');
    expect(h.latestName('10.9.9.9')).toBeUndefined();
    expect(h.latestName('10.0.0.5')).toBe('db.corp');
    expect(h.latestName('10.0.0.7')).toBe('Kiosk-7');
    expect(h.mac('10.0.0.7')).toBe('02:00:00:00:00:07');
    expect(h.mac('10.0.0.8')).toBe('02:00:00:00:00:08');
  });

  it('names a DHCP client by the host name of its REQUEST when the ACK carries none', () => {
    const h = new HostTable();
    h.flow({ kind: 'flow', start: '2026-11-27T10:00:00.000Z', src: '0.0.0.0', dst: '255.255.255.255', dhcp: { msg: 'REQUEST', client_mac: '02:00:00:00:00:09', hostname: 'cam-9' } });
    h.flow({ kind: 'flow', start: '2026-11-27T10:00:00.100Z', src: '10.0.0.1', dst: '10.0.0.9', dhcp: { msg: 'ACK', client_mac: '02:00:00:00:00:09', yiaddr: '10.0.0.9' } });
    expect(h.latestName('10.0.0.9')).toBe('cam-9');
    expect(h.latestName('0.0.0.0')).toBeUndefined();
    expect(h.mac('10.0.0.9')).toBe('02:00:00:00:00:09');
  });

  it('takes layer-2 source addresses, except a router MAC that fronts many addresses', () => {
    const h = new HostTable();
    h.flow({ kind: 'flow', start: '2026-11-27T10:00:00.000Z', src: '10.0.0.2', dst: '10.0.0.3', smac: '02:00:00:00:00:02', dmac: '02:00:00:00:00:03' });
    for (let i = 1; i <= 20; i++) h.flow({ kind: 'flow', start: '2026-11-27T10:00:00.000Z', src: `198.51.100.${i}`, dst: '10.0.0.2', smac: '02:00:00:00:00:fe', dmac: '02:00:00:00:00:02' });
    expect(h.mac('10.0.0.2')).toBe('02:00:00:00:00:02');
    expect(h.mac('10.0.0.3')).toBe('02:00:00:00:00:03');
    expect(h.mac('198.51.100.1')).toBeUndefined();
    const local = new HostTable({ localNets: new CidrSet(['10.0.0.0/24']) });
    local.flow({ kind: 'flow', start: '2026-11-27T10:00:00.000Z', src: '198.51.100.1', dst: '10.0.0.2', smac: '02:00:00:00:00:fe', dmac: '02:00:00:00:00:02' });
    expect(local.mac('198.51.100.1')).toBeUndefined();
    expect(local.mac('10.0.0.2')).toBe('02:00:00:00:00:02');
  });
});

describe('users, leases, CMDB', () => {
  it('reads times as ISO (UTC without a zone) or epoch seconds', () => {
    expect(fileTime('2026-11-27T10:00:00Z')).toBe(T('10:00:00'));
    expect(fileTime('2026-11-27 10:00')).toBe(T('10:00:00'));
    expect(fileTime('1795773600')).toBe(1795773600_000);
    expect(fileTime('')).toBeUndefined();
    expect(fileTime('yesterday')).toBeNaN();
  });

  it('binds users by address or MAC over time, the latest binding winning', () => {
    const u = new Users();
    const { d, lines } = diag();
    u.load('10.0.0.2,ana,2026-11-27T08:00:00Z,2026-11-27T12:00:00Z\n10.0.0.2,bob,2026-11-27T12:00:00Z,\n02:00:00:00:00:09,carol,,\nnope,x,,\n10.0.0.3,,,\n10.0.0.4,dan,soon,\n', 'users.csv', d);
    expect(u.at('10.0.0.2', undefined, T('10:00:00'))).toBe('ana');
    expect(u.at('10.0.0.2', undefined, T('13:00:00'))).toBe('bob');
    expect(u.at('10.0.0.2', undefined, Date.parse('2026-11-26T10:00:00Z'))).toBeUndefined();
    expect(u.at('10.0.0.9', '02:00:00:00:00:09', T('10:00:00'))).toBe('carol');
    expect(lines).toEqual([
      'fir enrich: users.csv:4: not an IP or MAC address: nope\n',
      'fir enrich: users.csv:5: no user\n',
      'fir enrich: users.csv:6: from/to must be ISO 8601 times or epoch seconds\n',
    ]);
    const withHeader = new Users();
    withHeader.load('user,ip\nerin,10.0.0.5\n', 'u2.csv', d);
    expect(withHeader.at('10.0.0.5', undefined, NaN)).toBe('erin');
    expect(() => new Users().load('"unclosed,x\n', 'bad.csv', d)).toThrow(/bad.csv.*not CSV/);
  });

  it('reads ISC dhcpd and dnsmasq lease files', () => {
    const h = new HostTable();
    const { d } = diag();
    const isc = 'lease 10.0.0.20 {\n  starts 5 2026/11/27 07:30:00;\n  hardware ethernet 52:54:00:12:34:56;\n  client-hostname "pr\\"inter";\n}\n';
    expect(loadLeases(isc, 'dhcpd.leases', h, d)).toBe(1);
    expect(h.latestName('10.0.0.20')).toBe('pr"inter');
    expect(h.nameAt('10.0.0.20', T('08:00:00'))).toBe('pr"inter');
    expect(h.mac('10.0.0.20')).toBe('52:54:00:12:34:56');
    expect(loadLeases('1795860000 52:54:00:ab:cd:ef 10.0.0.21 build * \n1 aa 10.0.0.22 * *\n', 'dnsmasq.leases', h, d)).toBe(2);
    expect(h.latestName('10.0.0.21')).toBe('build');
    expect(h.latestName('10.0.0.22')).toBeUndefined();
  });

  it('keys the CMDB by address and MAC and builds an encoded link', () => {
    const c = new Cmdb();
    const { d, lines } = diag();
    c.load('Name,IP,MAC,Owner\nFS01,10.0.0.5,,IT\nLAP,,52-54-00-12-34-56,Ana\nnothing,,,\n', 'cmdb.csv', d);
    expect(c.find('10.0.0.5', undefined)).toEqual({ Name: 'FS01', IP: '10.0.0.5', Owner: 'IT' });
    expect(c.find('10.0.0.99', '52:54:00:12:34:56')?.Name).toBe('LAP');
    expect(lines).toEqual(['fir enrich: cmdb.csv:4: no usable ip or mac in this row\n']);
    const url = compileUrlTemplate('https://cmdb.example/a?ip={ip}&mac={mac}&h={host}');
    expect(url({ ip: '2001:db8::1', host: 'a&b c' })).toBe('https://cmdb.example/a?ip=2001%3Adb8%3A%3A1&mac=&h=a%26b%20c');
    expect(() => compileUrlTemplate('https://x/{user}')).toThrow(/unknown placeholder/);
    expect(() => compileUrlTemplate('javascript:alert(1)//{ip}')).toThrow(/http/);
  });
});

describe('enrichRecord', () => {
  const hosts = new HostTable();
  hosts.addName('10.0.0.2', 'old-name', T('09:00:00'));
  hosts.addName('10.0.0.2', 'new-name', T('11:00:00'));
  hosts.addMac('10.0.0.2', '02:00:00:00:00:02', T('09:00:00'));
  hosts.addName('10.0.0.3', 'target', T('09:00:00'));
  const tables: EnrichTables = { hosts, cmdbUrl: compileUrlTemplate('https://c.example/?ip={ip}') };
  const ev = { kind: 'event', id: 'e', start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:05:00.000Z', method: 'SCANS', submethod: 'TCPSYN', src: '10.0.0.2', targets: ['10.0.0.3', '10.0.0.4'] };

  it('adds the source fields, the name at detection time and target_info', () => {
    const out = enrichRecord(ev, tables, { flowsToo: false });
    expect(out).toMatchObject({ src_host: 'new-name', src_host_at_detection: 'old-name', src_mac: '02:00:00:00:00:02', cmdb: { url: 'https://c.example/?ip=10.0.0.2' } });
    expect(out.target_info).toEqual([
      { ip: '10.0.0.3', host: 'target', host_at_detection: 'target', cmdb: { url: 'https://c.example/?ip=10.0.0.3' } },
      { ip: '10.0.0.4', cmdb: { url: 'https://c.example/?ip=10.0.0.4' } },
    ]);
    expect(ev).not.toHaveProperty('src_host'); // the input is not changed
  });

  it('leaves flows alone unless asked, then names both ends at the flow time', () => {
    const flow = { kind: 'flow', start: '2026-11-27T11:30:00.000Z', src: '10.0.0.3', dst: '10.0.0.2', smac: '02:00:00:00:00:fe' };
    expect(enrichRecord(flow, tables, { flowsToo: false })).toBe(flow);
    expect(enrichRecord(flow, tables, { flowsToo: true })).toEqual({ ...flow, src_host: 'target', dst_host: 'new-name', dst_mac: '02:00:00:00:00:02' });
  });
});
