import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  arp, be16, bytes, clientHello, dhcp4, dhcpAck, dhcpDiscover, dhcpOffer, dhcpRequest, dnsHeader, dnsNx, dnsQuery,
  dnsResponse, dnsTxtNull, MAC, ptr, rr, wireName,
} from '../../../testdata/app/packets.js';
import { decodeArp } from './arp.js';
import { decodeDhcp4, decodeDhcp6 } from './dhcp.js';
import { decodeDns, readName } from './dns.js';
import { quicInitialSni } from './quic.js';
import { appFromPort, inspectPayload, mergeApp, type AppInfo, type PayloadContext } from './index.js';

function ctx(payload: Uint8Array, over: Partial<PayloadContext> = {}): PayloadContext {
  return { proto: 'udp', sport: 40000, dport: 53, fromOriginator: true, payload, off: 0, len: payload.length, flowPkts: 1, ...over };
}
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('DNS', () => {
  it('decodes a query', () => {
    const a = inspectPayload(ctx(dnsQuery));
    expect(plain(a)).toEqual({ app: 'dns', dns: { qname: 'www.example.com', qtype: 'A', qclass: 'IN', id: 0x1234, rd: true } });
  });

  it('decodes a compressed response: CNAME, A, AAAA with TTLs', () => {
    const a = inspectPayload(ctx(dnsResponse, { sport: 53, dport: 40000, fromOriginator: false }));
    expect(plain(a?.dns)).toEqual({
      qname: 'www.example.com', qtype: 'A', qclass: 'IN', rcode: 'NOERROR',
      answers: ['web.example.com', '93.184.216.34', '2001:db8::1'], ttls: [300, 60, 60],
      id: 0x1234, rd: true, aa: false, tc: false, ra: true,
    });
  });

  it('merges the query and its response into one object', () => {
    let info: AppInfo | undefined;
    info = mergeApp(info, inspectPayload(ctx(dnsQuery))!);
    info = mergeApp(info, inspectPayload(ctx(dnsResponse, { sport: 53, dport: 40000, fromOriginator: false }))!);
    const d = plain(info.dns) as Record<string, unknown>;
    expect(d).toMatchObject({ qname: 'www.example.com', qtype: 'A', rcode: 'NOERROR', answers: ['web.example.com', '93.184.216.34', '2001:db8::1'] });
    expect(d.queries).toBeUndefined();
    expect(info.app).toBe('dns');
  });

  it('counts several queries of one flow and keeps their distinct names', () => {
    let info: AppInfo | undefined;
    info = mergeApp(info, inspectPayload(ctx(dnsQuery))!);
    info = mergeApp(info, inspectPayload(ctx(dnsNx, { sport: 53, dport: 40000 }))!);
    info = mergeApp(info, inspectPayload(ctx(dnsQuery))!);
    expect(plain(info.dns)).toMatchObject({ qname: 'www.example.com', qnames: ['www.example.com', 'nope.example'], queries: 2, rcode: 'NXDOMAIN' });
    // a retransmitted response adds no answers twice
    info = mergeApp(info, inspectPayload(ctx(dnsResponse, { sport: 53, dport: 40000 }))!);
    info = mergeApp(info, inspectPayload(ctx(dnsResponse, { sport: 53, dport: 40000 }))!);
    expect(info.dns!.answers).toEqual(['web.example.com', '93.184.216.34', '2001:db8::1']);
    expect(info.dns!.responses).toBe(3);
  });

  it('gives NXDOMAIN and TXT as names', () => {
    expect(plain(inspectPayload(ctx(dnsNx))?.dns)).toMatchObject({ qname: 'nope.example', qtype: 'TXT', rcode: 'NXDOMAIN' });
  });

  it('escapes TXT text and renders NULL data generically', () => {
    const d = inspectPayload(ctx(dnsTxtNull))!.dns!;
    expect(d.answers).toEqual(['a\\"b\\\\c\\007\\010A', '\\# 4 deadbeef']);
    expect(d.aa).toBe(true);
    for (const s of d.answers!) expect(s).not.toMatch(/[\x00-\x1f\x7f-\uffff]/);
  });

  it('escapes dots, spaces and control bytes inside labels, and reads the root', () => {
    const m = bytes(dnsHeader(1, 0, 1, 0), [3, 0x61, 0x2e, 0x62, 4, 0x20, 0x0a, 0xff, 0x5c, 0], be16(1), be16(1));
    expect(inspectPayload(ctx(m))!.dns!.qname).toBe('a\\.b.\\032\\010\\255\\\\');
    const root = bytes(dnsHeader(1, 0, 1, 0), [0], be16(2), be16(1));
    expect(inspectPayload(ctx(root))!.dns).toMatchObject({ qname: '.', qtype: 'NS' });
  });

  it('names unknown types, classes and rcodes by number, and uses the EDNS extended rcode', () => {
    const m = bytes(dnsHeader(1, 0x8000, 1, 0, 0, 1), wireName('x'), be16(999), be16(77), rr([0], 41, 0x01000000, []));
    expect(inspectPayload(ctx(m))!.dns).toMatchObject({ qtype: 'TYPE999', qclass: 'CLASS77', rcode: 'BADVERS' });
  });

  it('survives compression loops and forward pointers', () => {
    const self = bytes(dnsHeader(1, 0, 1, 0), ptr(12), be16(1), be16(1));
    expect(readName(self, 0, 12, self.length)).toBeUndefined();
    const forward = bytes(dnsHeader(1, 0, 1, 0), ptr(14), wireName('a'), be16(1), be16(1));
    expect(readName(forward, 0, 12, forward.length)).toBeUndefined();
    // label then a pointer back to the label: a -> a -> a ...
    const cycle = bytes(dnsHeader(1, 0, 1, 0), [1, 0x61], ptr(12), be16(1), be16(1));
    expect(readName(cycle, 0, 12, cycle.length)).toBeUndefined();
    // two pointers bouncing between each other (the second points forward again)
    const bounce = bytes(dnsHeader(1, 0x8000, 1, 1), wireName('a'), be16(1), be16(1), rr(ptr(34), 1, 1, [1, 2, 3, 4]), ptr(33));
    expect(() => inspectPayload(ctx(bounce))).not.toThrow();
    expect(inspectPayload(ctx(self))).toMatchObject({ app: 'dns' });
    expect(inspectPayload(ctx(self))!.dns!.qname).toBeUndefined();
  });

  it('rejects names over 255 bytes and labels over 63', () => {
    const long = bytes(dnsHeader(1, 0, 1, 0), ...Array.from({ length: 5 }, () => [63, ...new Array<number>(63).fill(0x61)]), 0, be16(1), be16(1));
    expect(readName(long, 0, 12, long.length)).toBeUndefined();
    const label64 = bytes(dnsHeader(1, 0, 1, 0), [64, ...new Array<number>(64).fill(0x61)], 0, be16(1), be16(1));
    expect(readName(label64, 0, 12, label64.length)).toBeUndefined();
  });

  it('keeps what a truncated message holds', () => {
    for (let cut = 0; cut < dnsResponse.length; cut++) {
      const a = inspectPayload(ctx(dnsResponse.subarray(0, cut), { sport: 53 }));
      if (cut < 12) expect(a).toBeUndefined();
      else expect(a?.app).toBe('dns');
    }
    const cut = dnsResponse.length - 10; // the AAAA's rdata is cut
    const d = inspectPayload(ctx(dnsResponse.subarray(0, cut), { sport: 53 }))!.dns!;
    expect(d.answers).toEqual(['web.example.com', '93.184.216.34']);
  });

  it('decodes DNS over TCP behind its length prefix', () => {
    const seg = bytes(be16(dnsResponse.length), dnsResponse);
    const a = inspectPayload(ctx(seg, { proto: 'tcp', sport: 53, dport: 40000 }));
    expect(a?.dns).toMatchObject({ qname: 'www.example.com', answers: ['web.example.com', '93.184.216.34', '2001:db8::1'] });
  });

  it('decodes a TCP segment that holds a whole message without its length prefix', () => {
    const a = inspectPayload(ctx(dnsQuery, { proto: 'tcp', sport: 40000, dport: 53 }));
    expect(a?.dns).toMatchObject({ qname: 'www.example.com', id: 0x1234 });
    expect(inspectPayload(ctx(bytes(be16(dnsQuery.length)), { proto: 'tcp', dport: 53 }))).toBeUndefined();
  });

  it('recognises DNS on an unusual port only when the message parses exactly', () => {
    expect(inspectPayload(ctx(dnsQuery, { dport: 9999 }))?.dns?.qname).toBe('www.example.com');
    expect(inspectPayload(ctx(dnsResponse, { sport: 9999 }))?.app).toBe('dns');
    expect(inspectPayload(ctx(bytes(dnsQuery, [0]), { dport: 9999 }))).toBeUndefined();
    expect(inspectPayload(ctx(bytes('hello world, this is not dns'), { dport: 9999 }))).toBeUndefined();
  });

  it('reads mDNS questions with the unicast-response bit', () => {
    const m = bytes(dnsHeader(0, 0, 1, 0), wireName('_ipp._tcp.local'), be16(12), be16(0x8001));
    expect(inspectPayload(ctx(m, { sport: 5353, dport: 5353 }))!.dns).toMatchObject({ qname: '_ipp._tcp.local', qtype: 'PTR', qclass: 'IN' });
  });

  it('names a response without a question (an mDNS announcement) by its first record', () => {
    const m = bytes(dnsHeader(0, 0x8400, 0, 1), rr(wireName('printer.local'), 1, 120, [10, 0, 0, 7], 0x8001));
    expect(plain(inspectPayload(ctx(m, { sport: 5353, dport: 5353 }))!.dns)).toMatchObject({
      qname: 'printer.local', qtype: 'A', qclass: 'IN', rcode: 'NOERROR', answers: ['10.0.0.7'],
    });
  });

  it('decodes NetBIOS name service names and addresses', () => {
    const enc = (name: string, suffix: number): string => {
      const raw = [...name.padEnd(15, ' ')].map((c) => c.charCodeAt(0)).concat(suffix);
      return raw.map((b) => String.fromCharCode(65 + (b >> 4), 65 + (b & 15))).join('');
    };
    const q = bytes(dnsHeader(9, 0x0110, 1, 0), wireName(enc('WORKGROUP', 0x1d)), be16(32), be16(1));
    expect(inspectPayload(ctx(q, { sport: 137, dport: 137 }))).toEqual({
      app: 'netbios-ns', dns: expect.objectContaining({ qname: 'WORKGROUP<1d>', qtype: 'NB' }),
    });
    const r = bytes(dnsHeader(9, 0x8500, 0, 1), rr(wireName(enc('FILESRV', 0x20)), 32, 300, [0x60, 0, 10, 0, 0, 9]));
    expect(inspectPayload(ctx(r, { sport: 137, dport: 137 }))!.dns).toMatchObject({ rcode: 'NOERROR', answers: ['10.0.0.9'] });
    const reg = bytes(dnsHeader(10, 0x2910, 1, 0), wireName(enc('\x01EVIL.PC', 0)), be16(32), be16(1));
    expect(inspectPayload(ctx(reg, { sport: 137, dport: 137 }))!.dns).toMatchObject({ qname: '\\001EVIL.PC<00>', opcode: 'REGISTRATION' });
  });

  it('reads MX and SRV targets', () => {
    const m = bytes(
      dnsHeader(2, 0x8180, 1, 2), wireName('example.com'), be16(15), be16(1),
      rr(ptr(12), 15, 10, [...be16(10), ...wireName('mx'), ]),
      rr(ptr(12), 33, 10, [0, 1, 0, 2, ...be16(5060), 3, 0x73, 0x69, 0x70, ...ptr(12)]),
    );
    expect(decodeDns(m, 0, m.length, false)!.answers).toEqual(['mx', 'sip.example.com']);
  });
});

describe('DHCP', () => {
  const dctx = (p: Uint8Array, client = true): PayloadContext => ctx(p, client ? { sport: 68, dport: 67 } : { sport: 67, dport: 68, fromOriginator: false });

  it('decodes a DISCOVER with host name, client id, parameter list and vendor class', () => {
    const d = inspectPayload(dctx(dhcpDiscover))!;
    expect(d.app).toBe('dhcp');
    expect(plain(d.dhcp)).toEqual({
      msg: 'DISCOVER', msgs: ['DISCOVER'], client_mac: '00:0c:29:4f:8e:35', hostname: 'laptop', xid: 0xdeadbeef,
      client_id: '01:00:0c:29:4f:8e:35', params: [1, 3, 6], vendor_class: 'MSFT',
    });
  });

  it('decodes an OFFER with server, router, DNS servers, lease and domain', () => {
    expect(plain(decodeDhcp4(dhcpOffer, 0, dhcpOffer.length))).toEqual({
      msg: 'OFFER', msgs: ['OFFER'], client_mac: '00:0c:29:4f:8e:35', yiaddr: '10.0.0.50', server_id: '10.0.0.1',
      router: '10.0.0.1', dns_servers: ['10.0.0.1', '8.8.8.8'], lease_s: 86400, xid: 0xdeadbeef, subnet_mask: '255.255.255.0', domain: 'lan',
    });
  });

  it('merges DISCOVER, OFFER, REQUEST, ACK into one summary whose msg is the ACK', () => {
    let info: AppInfo | undefined;
    for (const [p, client] of [[dhcpDiscover, true], [dhcpOffer, false], [dhcpRequest, true], [dhcpAck, false]] as const) {
      info = mergeApp(info, inspectPayload(dctx(p, client))!);
    }
    expect(plain(info!.dhcp)).toMatchObject({
      msg: 'ACK', msgs: ['DISCOVER', 'OFFER', 'REQUEST', 'ACK'], client_mac: '00:0c:29:4f:8e:35', yiaddr: '10.0.0.50',
      server_id: '10.0.0.1', router: '10.0.0.1', hostname: 'laptop', lease_s: 86400, requested_ip: '10.0.0.50',
    });
  });

  it('keeps the options before one whose length runs past the end', () => {
    const p = dhcp4(1, 3, 1, MAC, [0, 0, 0, 0], [12, 2, 0x61, 0x62, 50, 4, 10, 0, 0, 7, 61, 200, 1, 2]);
    const bad = p.subarray(0, p.length - 1); // drop the end option: 61 claims 200 bytes
    const d = decodeDhcp4(bad, 0, bad.length)!;
    expect(d).toMatchObject({ msg: 'REQUEST', hostname: 'ab', requested_ip: '10.0.0.7', truncated: true });
    expect(d.client_id).toBeUndefined();
  });

  it('escapes a hostile host name', () => {
    const p = dhcp4(1, 1, 1, MAC, [0, 0, 0, 0], [12, 6, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0a]);
    expect(decodeDhcp4(p, 0, p.length)!.hostname).toBe('\\027[31m\\010');
  });

  it('calls a message without option 53 BOOTP, and rejects what is not BOOTP', () => {
    const p = new Uint8Array(300);
    p[0] = 1;
    p[1] = 1;
    p[2] = 6;
    expect(decodeDhcp4(p, 0, p.length)!.msg).toBe('BOOTREQUEST');
    p[0] = 9;
    expect(decodeDhcp4(p, 0, p.length)).toBeUndefined();
    expect(decodeDhcp4(p, 0, 200)).toBeUndefined();
  });

  it('decodes a DHCPv6 REPLY with address, DNS servers and the client MAC of a DUID-LL', () => {
    const opt = (code: number, data: number[]): number[] => [...be16(code), ...be16(data.length), ...data];
    const addr = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50];
    const dns = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01];
    const m = bytes([7, 1, 2, 3],
      opt(1, [0, 3, 0, 1, ...MAC]),
      opt(2, [0, 3, 0, 1, 1, 2, 3, 4, 5, 6]),
      opt(3, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, ...opt(5, [...addr, 0, 0, 0, 100, 0, 0, 0, 200])]),
      opt(23, dns),
      opt(39, [0, ...wireName('host.example')]),
    );
    const d = inspectPayload(ctx(m, { sport: 547, dport: 546 }))!;
    expect(plain(d)).toEqual({
      app: 'dhcp',
      dhcp: {
        msg: 'REPLY', msgs: ['REPLY'], client_mac: '00:0c:29:4f:8e:35', yiaddr: '2001:db8::50', server_id: '00:03:00:01:01:02:03:04:05:06',
        dns_servers: ['2001:db8::1'], hostname: 'host.example', lease_s: 200, xid: 0x010203, client_id: '00:03:00:01:00:0c:29:4f:8e:35',
      },
    });
    expect(decodeDhcp6(bytes([99, 0, 0, 0]), 0, 4)).toBeUndefined();
  });
});

describe('ARP', () => {
  const ff = [255, 255, 255, 255, 255, 255];
  const zero = [0, 0, 0, 0, 0, 0];
  it('decodes a request and a reply', () => {
    const req = arp(1, MAC, [10, 0, 0, 5], zero, [10, 0, 0, 1]);
    expect(decodeArp(req, 0, req.length)).toEqual({ op: 'request', sha: '00:0c:29:4f:8e:35', spa: '10.0.0.5', tha: '00:00:00:00:00:00', tpa: '10.0.0.1' });
    const rep = bytes(new Uint8Array(14), arp(2, [2, 0, 0, 0, 0, 1], [10, 0, 0, 1], MAC, [10, 0, 0, 5]), new Uint8Array(18));
    expect(decodeArp(rep, 14, rep.length - 14)).toEqual({ op: 'reply', sha: '02:00:00:00:00:01', spa: '10.0.0.1', tha: '00:0c:29:4f:8e:35', tpa: '10.0.0.5' });
  });

  it('flags gratuitous ARP and probes', () => {
    const g = arp(1, MAC, [10, 0, 0, 5], ff, [10, 0, 0, 5]);
    expect(decodeArp(g, 0, g.length)).toMatchObject({ op: 'request', gratuitous: true });
    const gr = arp(2, MAC, [10, 0, 0, 5], ff, [10, 0, 0, 5]);
    expect(decodeArp(gr, 0, gr.length)).toMatchObject({ op: 'reply', gratuitous: true });
    const probe = arp(1, MAC, [0, 0, 0, 0], zero, [10, 0, 0, 9]);
    expect(decodeArp(probe, 0, probe.length)).toMatchObject({ probe: true });
    expect(decodeArp(probe, 0, probe.length)!.gratuitous).toBeUndefined();
  });

  it('rejects other hardware/protocol types, odd operations and short packets', () => {
    const ok = arp(1, MAC, [10, 0, 0, 5], zero, [10, 0, 0, 1]);
    for (const [i, v] of [[1, 6], [2, 0x86], [4, 8], [5, 16], [7, 3]] as const) {
      const b = ok.slice();
      b[i] = v;
      expect(decodeArp(b, 0, b.length)).toBeUndefined();
    }
    expect(decodeArp(ok, 0, 27)).toBeUndefined();
    expect(decodeArp(ok, 1, 28)).toBeUndefined();
    expect(decodeArp(ok, -1, 28)).toBeUndefined();
  });
});

describe('stream protocols', () => {
  const tcp = (s: string | Uint8Array, over: Partial<PayloadContext> = {}): AppInfo | undefined =>
    inspectPayload(ctx(typeof s === 'string' ? bytes(s) : s, { proto: 'tcp', sport: 50000, dport: 8888, ...over }));

  it('recognises banners and request lines', () => {
    expect(tcp('SSH-2.0-OpenSSH_9.6\r\n')?.app).toBe('ssh');
    expect(tcp('SSH-1.99-Cisco-1.25\r\n')?.app).toBe('ssh');
    expect(tcp('GET / HTTP/1.1\r\nHost: x\r\n\r\n')?.app).toBe('http');
    expect(tcp('HTTP/1.1 200 OK\r\n')?.app).toBe('http');
    expect(tcp('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')?.app).toBe('http');
    expect(tcp('220 ProFTPD Server ready.\r\n')?.app).toBe('ftp');
    expect(tcp('220 mail.example.com ESMTP Postfix\r\n')?.app).toBe('smtp');
    expect(tcp('220 hello\r\n', { sport: 21 })?.app).toBe('ftp');
    expect(tcp('220 hello\r\n')).toBeUndefined();
    expect(tcp('EHLO client.example\r\n')?.app).toBe('smtp');
    expect(tcp('+OK POP3 ready\r\n')?.app).toBe('pop3');
    expect(tcp('+OK\r\n')).toBeUndefined();
    expect(tcp('+OK\r\n', { sport: 6379 })?.app).toBe('redis');
    expect(tcp('*1\r\n$4\r\nPING\r\n')?.app).toBe('redis');
    expect(tcp('* OK [CAPABILITY IMAP4rev1] ready\r\n')?.app).toBe('imap');
    expect(tcp('RFB 003.008\n')?.app).toBe('vnc');
    expect(tcp(bytes([0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20]))?.app).toBe('telnet');
  });

  it('recognises a TLS ClientHello with its server name, and a ServerHello', () => {
    expect(tcp(clientHello('example.org'))).toEqual({ app: 'tls', tls_sni: 'example.org' });
    const sh = bytes([22, 3, 3, 0, 42, 2, 0, 0, 38, 3, 3], new Uint8Array(32));
    expect(tcp(sh)).toEqual({ app: 'tls' });
    expect(tcp(clientHello('ev\x01l.example'))!.tls_sni).toBe('ev\\001l.example');
    const cut = clientHello('example.org');
    expect(tcp(cut.subarray(0, cut.length - 4))).toEqual({ app: 'tls' });
    expect(tcp(bytes([22, 3, 9, 0, 10, 1, 0, 0, 6, 3, 3]))).toBeUndefined();
  });

  it('recognises SMB, RDP, PostgreSQL and MySQL', () => {
    expect(tcp(bytes([0, 0, 0, 0x40, 0xfe, 0x53, 0x4d, 0x42], new Uint8Array(60)), { dport: 445 })?.app).toBe('smb');
    expect(tcp(bytes([0, 0, 0, 0x40, 0xff, 0x53, 0x4d, 0x42], new Uint8Array(60)))?.app).toBe('smb');
    const cr = bytes([3, 0, 0, 43, 38, 0xe0, 0, 0, 0, 0, 0], 'Cookie: mstshash=admin\r\n', [1, 0, 8, 0, 3, 0, 0, 0]);
    expect(tcp(cr, { dport: 3389 })?.app).toBe('rdp');
    expect(tcp(cr, { dport: 102 })).toBeUndefined();
    expect(tcp(bytes([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]))?.app).toBe('postgres');
    expect(tcp(bytes([0, 0, 0, 41, 0, 3, 0, 0], 'user\0postgres\0database\0db\0\0', new Uint8Array(6)))?.app).toBe('postgres');
    const greet = bytes([74, 0, 0, 0, 10], '8.0.36\0', new Uint8Array(66));
    expect(tcp(greet)?.app).toBe('mysql');
  });

  it('says nothing about payloads it does not know', () => {
    expect(tcp('hello there')).toBeUndefined();
    expect(tcp(new Uint8Array(0))).toBeUndefined();
    expect(inspectPayload(ctx(bytes('abc'), { off: 10 }))).toBeUndefined();
  });
});

describe('SCTP', () => {
  const data = (ppid: number, user: Uint8Array): Uint8Array => {
    const len = 16 + user.length;
    return bytes([0, 3], be16(len), [0, 0, 0, 1, 0, 0, 0, 0], [(ppid >>> 24) & 255, (ppid >>> 16) & 255, (ppid >>> 8) & 255, ppid & 255], user, new Uint8Array((4 - (len % 4)) % 4));
  };
  const sctp = (p: Uint8Array): AppInfo | undefined => inspectPayload(ctx(p, { proto: 'sctp', sport: 40000, dport: 40001 }));
  it('names the app from the DATA chunk protocol id, else from its user data', () => {
    expect(sctp(data(46, new Uint8Array(20)))?.app).toBe('diameter');
    expect(sctp(data(18, new Uint8Array(8)))?.app).toBe('s1ap');
    expect(sctp(data(0, bytes('GET / HTTP/1.1\r\n')))?.app).toBe('http');
    // a SACK chunk first, then DATA
    expect(sctp(bytes([3, 0, 0, 16], new Uint8Array(12), data(3, new Uint8Array(8))))?.app).toBe('m3ua');
    expect(sctp(bytes([1, 0, 0, 20], new Uint8Array(16)))).toBeUndefined();
    expect(sctp(bytes([0, 3, 0, 2]))).toBeUndefined();
  });
});

describe('QUIC', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const initial = (name: string): Uint8Array => Buffer.from(readFileSync(join(here, '../../../testdata/app', name), 'utf8').trim(), 'hex');
  it('reads the server name from a client Initial of QUIC v1 and v2', () => {
    const v1 = initial('curl-8.1.2-dev-http3-www-google-de.initial.hex');
    expect(inspectPayload(ctx(v1, { dport: 443 }))).toEqual({ app: 'quic', tls_sni: 'www.google.de' });
    const v2 = initial('quicv2-echo-443.initial.hex');
    expect(inspectPayload(ctx(v2, { dport: 443 }))).toEqual({ app: 'quic', tls_sni: 'localhost' });
  });
  it('gives no name when the packet does not authenticate', () => {
    const v1 = initial('curl-8.1.2-dev-http3-www-google-de.initial.hex');
    v1[100] ^= 1; // inside the protected payload
    expect(inspectPayload(ctx(v1, { dport: 443 }))).toEqual({ app: 'quic' });
    expect(quicInitialSni(v1, 0, 500)).toBeUndefined();
  });
});

describe('UDP protocols', () => {
  it('recognises NTP on port 123 and QUIC anywhere', () => {
    const ntp = new Uint8Array(48);
    ntp[0] = 0x23; // v4 client
    expect(inspectPayload(ctx(ntp, { dport: 123 }))?.app).toBe('ntp');
    ntp[0] = 0x03; // version 0
    expect(inspectPayload(ctx(ntp, { dport: 123 }))).toBeUndefined();
    const quic = bytes([0xc3, 0, 0, 0, 1, 8], new Uint8Array(40));
    expect(inspectPayload(ctx(quic, { dport: 443 }))?.app).toBe('quic');
  });
});

describe('appFromPort', () => {
  it('maps well-known ports, the responder port first', () => {
    expect(appFromPort('tcp', 51000, 22)).toBe('ssh');
    expect(appFromPort('tcp', 443, 51000)).toBe('tls');
    expect(appFromPort('udp', 68, 67)).toBe('dhcp');
    expect(appFromPort('udp', 51000, 53)).toBe('dns');
    expect(appFromPort('udp', 5353, 5353)).toBe('dns');
    expect(appFromPort('udp', 40000, 443)).toBe('quic');
    expect(appFromPort('tcp', 40000, 993)).toBe('tls');
    expect(appFromPort('tcp', 3389, 5900)).toBe('rdp');
    expect(appFromPort('tcp', 5900, 445)).toBe('smb');
    expect(appFromPort('6', 1, 3306)).toBe('mysql');
    expect(appFromPort('tcp', 40000, 40001)).toBeUndefined();
    expect(appFromPort('icmp', 8, 0)).toBeUndefined();
    expect(appFromPort('tcp', -1, 70000)).toBeUndefined();
  });
});
