import { describe, expect, it } from 'vitest';
import { CidrSet, canonicalIp, canonicalMac, compareIp, formatIPv6Bytes, parseCidr, parseIPv4, parseIPv6, sortIps } from './net.js';

describe('addresses', () => {
  it.each([
    ['192.168.1.100', 0xc0a80164],
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['1.2.3', -1],
    ['1.2.3.4.5', -1],
    ['256.1.1.1', -1],
    ['01.2.3.4', -1],
    ['1..2.3', -1],
    ['', -1],
  ])('parseIPv4(%s)', (s, n) => expect(parseIPv4(s)).toBe(n));

  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first longest run
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero word is not shortened
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['FD00::64', 'fd00::64'],
  ])('canonicalIp(%s) is %s (RFC 5952)', (s, want) => expect(canonicalIp(s)).toBe(want));

  it.each(['1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '12345::1', ':', '1:2:3:4:5:6:7'])('rejects %s', (s) => {
    expect(parseIPv6(s)).toBeUndefined();
  });

  it('formats 16 bytes', () => {
    const b = new Uint8Array(16);
    b[0] = 0xfd;
    b[15] = 0x64;
    expect(formatIPv6Bytes(b, 0)).toBe('fd00::64');
  });

  it('orders IPv4 before IPv6, numerically', () => {
    expect(sortIps(['10.0.0.10', 'fd00::1', '10.0.0.9', '9.255.255.255', '10.0.0.9'])).toEqual(['9.255.255.255', '10.0.0.9', '10.0.0.10', 'fd00::1']);
    expect(compareIp('::2', '::10')).toBeLessThan(0);
  });

  it('parses networks and masks host bits', () => {
    expect(parseCidr('192.168.1.77/24')?.text).toBe('192.168.1.0/24');
    expect(parseCidr('2001:db8::1/32')?.text).toBe('2001:db8::/32');
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0/')).toBeUndefined();
    expect(parseCidr('host')).toBeUndefined();
  });

  it('CidrSet answers membership for both families', () => {
    const s = new CidrSet(['10.0.0.0/8', '192.168.1.100', 'fd00::/8', '0.0.0.0/32']);
    expect(s.has('10.200.3.4')).toBe(true);
    expect(s.has('192.168.1.100')).toBe(true);
    expect(s.has('192.168.1.101')).toBe(false);
    expect(s.has('fd12::1')).toBe(true);
    expect(s.has('2001:db8::1')).toBe(false);
    expect(s.has('not an address')).toBe(false);
    expect(s.has(undefined)).toBe(false);
    expect(new CidrSet(['0.0.0.0/0']).has('8.8.8.8')).toBe(true);
  });

  it('canonical MAC', () => {
    expect(canonicalMac('00-0C-29-4F-8E-35')).toBe('00:0c:29:4f:8e:35');
    expect(canonicalMac('000c.294f.8e35')).toBe('00:0c:29:4f:8e:35');
    expect(canonicalMac('00:0c:29')).toBeUndefined();
  });
});
