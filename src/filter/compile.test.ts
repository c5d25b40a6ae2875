import { describe, expect, it } from 'vitest';
import { parseCidr } from '../net.js';
import { addressTest, compile } from './compile.js';
import { filterText } from './stream.js';
import { parseFilter } from './parser.js';

const test = (expr: string) => compile(parseFilter(expr));

describe('addressTest', () => {
  const t = (net: string) => addressTest([parseCidr(net)!]);
  it('compares IPv4 hosts as text and networks as numbers', () => {
    expect(t('10.0.0.1')('10.0.0.1')).toBe(true);
    expect(t('10.0.0.1')('10.0.0.10')).toBe(false);
    expect(t('10.0.0.0/8')('10.255.255.255')).toBe(true);
    expect(t('10.0.0.0/8')('11.0.0.0')).toBe(false);
    expect(t('10.0.0.0/8')('10.0.0.256')).toBe(false);
    expect(t('0.0.0.0/0')('255.255.255.255')).toBe(true);
    expect(t('0.0.0.0/0')('::1')).toBe(false);
  });
  it('compares IPv6 by value, whatever the spelling in the record', () => {
    expect(t('2001:db8::1')('2001:db8::1')).toBe(true);
    expect(t('2001:db8::1')('2001:DB8:0:0:0:0:0:1')).toBe(true);
    expect(t('2001:db8::1')('2001:db8::2')).toBe(false);
    expect(t('2001:db8::/32')('2001:0db8:ffff::1')).toBe(true);
    expect(t('2001:db8::/32')('2001:db9::1')).toBe(false);
    expect(t('2001:db8::/32')('10.0.0.1')).toBe(false);
    expect(t('::/0')('fe80::1')).toBe(true);
  });
  it('uses a set for lists', () => {
    const l = addressTest(['10.0.0.1', '192.168.0.0/16', '2001:db8::/48'].map((s) => parseCidr(s)!));
    expect(['10.0.0.1', '192.168.7.7', '2001:db8:0:1::5', '10.0.0.2', 'x'].map(l)).toEqual([true, true, true, false, false]);
  });
});

describe('compiled tests on odd records', () => {
  it('compares times in other forms by value', () => {
    expect(test('start >= 2026-11-27T10:00')({ start: '2026-11-27T10:00:00Z' })).toBe(true);
    expect(test('start < 2026-11-27T10:00')({ start: '2026-11-27T10:59:59+01:00' })).toBe(true);
    expect(test('start = 2026-11-27T10:00:00.123')({ start: '2026-11-27T10:00:00.123456Z' })).toBe(true);
    expect(test('start >= 2026-11-27')({ start: 'yesterday' })).toBe(false);
    expect(test('duration > 1s')({ start: '2026-11-27T10:00:00Z', end: 'later' })).toBe(false);
    // shaped like the contract's times but not real instants: compared as Date.parse reads them
    expect(test('start >= 2026-03-01')({ start: '2026-02-30T00:00:00.000Z' })).toBe(true); // V8 reads March 2
    expect(test('start < 2026-11-28')({ start: '2026-11-27T24:00:00.000Z' })).toBe(false); // midnight of the 28th
    expect(test('start = 2024-02-29')({ start: '2024-02-29T12:00:00.000Z' })).toBe(true);
    expect(test('start >= 2026-01-01')({ start: '2026-1X-27T10:00:00.000Z' })).toBe(false);
    expect(test('start >= 2026-01-01')({ start: '2026-11-27T23:60:00.000Z' })).toBe(false);
  });
  it('treats wrong types as missing fields', () => {
    expect(test('port 22')({ dport: '22' })).toBe(false);
    expect(test('host 10.0.0.1')({ src: ['10.0.0.1'] })).toBe(false);
    expect(test('flags S')({ flags: 2 })).toBe(false);
    expect(test('priority >= low')({ priority: 'constructor' })).toBe(false);
    expect(test('priority != high')({ priority: '__proto__' })).toBe(false);
    expect(test('dns name x.org')({ dns: 'x.org' })).toBe(false);
    expect(test('tactic discovery')({ attack: null })).toBe(false);
    expect(test('target 10.0.0.1')({ targets: [1, null, '10.0.0.1'] })).toBe(true);
  });
  it('compares MAC addresses in any spelling', () => {
    for (const v of ['00:0c:29:4f:8e:35', '00:0C:29:4F:8E:35', '00-0C-29-4F-8E-35', '000c.294f.8e35']) expect(test('mac 00:0c:29:4f:8e:35')({ smac: v }), v).toBe(true);
    expect(test('mac 00:0c:29:4f:8e:35')({ smac: '00:0c:29:4f:8e:36' })).toBe(false);
    expect(test('mac 00:0c:29:4f:8e:35')({ smac: 'zz' })).toBe(false);
  });
  it('reads proto as a number too', () => {
    expect(test('proto tcp')({ proto: 6 })).toBe(true);
    expect(test('proto tcp')({ proto: 'TCP' })).toBe(true);
  });
});

describe('filterText (a worker block)', () => {
  it('numbers lines from 1, strips CR, skips blanks, reports bad lines, keeps the last line without \\n', () => {
    const text = '{"dport":22}\r\n\nnope\n{"dport":23}\n[1]\n{"dport":22,"x":"é"}';
    const r = filterText(text, test('port 22'), true);
    expect(r.pass).toBe('{"dport":22}\n{"dport":22,"x":"é"}\n');
    expect(r.fail).toBe('{"dport":23}\n');
    expect(r.lines).toBe(6);
    expect(r.bad.map(([line, msg]) => [line, msg.slice(0, 8)])).toEqual([[3, 'not JSON'], [5, 'not a JS']]);
  });
  it('counts lines of a block that ends with \\n', () => {
    expect(filterText('{}\n{}\n', test('any'), false)).toEqual({ pass: '{}\n{}\n', fail: '', lines: 2, bad: [] });
  });
});
