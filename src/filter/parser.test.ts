import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, tokenize } from './lexer.js';
import { parseCount, parseDurationMs, parseFilter, parsePartialTime } from './parser.js';

function errorOf(expr: string): { col: number; message: string } {
  try {
    parseFilter(expr);
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { col: err.col, message: err.message };
    throw err;
  }
  throw new Error(`no error for ${expr}`);
}

describe('tokenize', () => {
  it('splits words, operators and punctuation with 1-based columns', () => {
    const t = tokenize('dst port>=22&&!(ip in [a,b])');
    expect(t.map((x) => [x.type, x.text, x.col])).toEqual([
      ['word', 'dst', 1], ['word', 'port', 5], ['op', '>=', 9], ['word', '22', 11], ['op', '&&', 13], ['op', '!', 15],
      ['(', '(', 16], ['word', 'ip', 17], ['word', 'in', 20], ['[', '[', 23], ['word', 'a', 24], [',', ',', 25], ['word', 'b', 26],
      [']', ']', 27], [')', ')', 28], ['end', '', 29],
    ]);
  });
  it('keeps addresses, CIDRs, MACs and times as one word', () => {
    expect(tokenize('2001:db8::/32 00:0c:29:4f:8e:35 2026-11-27T10:00:05.250Z').map((x) => x.text)).toEqual(['2001:db8::/32', '00:0c:29:4f:8e:35', '2026-11-27T10:00:05.250Z', '']);
  });
  it('reads quoted strings', () => {
    expect(tokenize(`dns name "a b" 'c'`).slice(2, 4).map((x) => [x.type, x.text])).toEqual([['string', 'a b'], ['string', 'c']]);
  });
  it('rejects a single & or | and an unterminated quote', () => {
    expect(() => tokenize('port 22 & port 23')).toThrow(/expected &&/);
    expect(() => tokenize('dns name "x')).toThrow(/unterminated/);
  });
});

describe('parseFilter', () => {
  it('gives not > and > or', () => {
    const n = parseFilter('not port 1 and port 2 or port 3');
    expect(n.type).toBe('or');
    if (n.type !== 'or') return;
    expect(n.left.type).toBe('and');
    if (n.left.type !== 'and') return;
    expect(n.left.left.type).toBe('not');
  });
  it('parses addresses to canonical networks', () => {
    const n = parseFilter('src net 10.1.2.3/8');
    expect(n).toMatchObject({ type: 'addr', dir: 'src', cidrs: [{ text: '10.0.0.0/8' }] });
    expect(parseFilter('host 2001:DB8:0:0::1')).toMatchObject({ cidrs: [{ text: '2001:db8::1/128' }] });
    expect(parseFilter('net 172.16.0.0 mask 255.240.0.0')).toMatchObject({ cidrs: [{ text: '172.16.0.0/12' }] });
  });
  it('maps protocol names and numbers to the values records carry', () => {
    expect(parseFilter('proto 17')).toMatchObject({ type: 'proto', values: ['17', 'udp'] });
    expect(parseFilter('proto sctp')).toMatchObject({ values: ['132', 'sctp'] });
  });
  it.each([
    ['dst port 22 and src nett 10.0.0.0/16', 21, /expected ip, host, net, port/],
    ['port 70000', 6, /port number/],
    ['host 10.0.0.256', 6, /not an IP address/],
    ['net 10.0.0.0', 5, /network such as/],
    ['net 10.0.0.0 mask 255.0.255.0', 19, /contiguous/],
    ['port 22 and', 12, /expected a filter term/],
    ['(port 22', 9, /expected \) to close the \( at column 1/],
    ['port 22)', 8, /unbalanced \)/],
    ['port 22 port 23', 9, /expected and, or/],
    ['flags SZ', 8, /not a TCP flag letter: Z/],
    ['priority >= urgent', 13, /expected a priority/],
    ['start >= 2026-13-01', 10, /UTC time/],
    ['start >= 2026-02-30', 10, /UTC time/],
    ['app > ssh', 5, /only with = or !=/],
    ['ip in []', 7, /empty list/],
    ['ip in [10.0.0.1', 16, /expected \] to close/],
    ['packets > lots', 11, /number such as/],
    ['vlan 5000', 6, /VLAN id/],
    ['technique X1', 11, /ATT&CK technique/],
    ['mac 00:11', 5, /MAC address/],
    ['', 1, /empty expression/],
    ['constructor', 1, /expected a filter term/],
    ['proto __proto__', 7, /not a protocol/],
  ])('%s: error at column %i', (expr, col, message) => {
    const e = errorOf(expr);
    expect(e.col).toBe(col);
    expect(e.message).toMatch(message);
  });
});

describe('values', () => {
  it('scales counts by powers of 1000', () => {
    expect(parseCount('1.5k', true)).toBe(1500);
    expect(parseCount('10M', true)).toBe(10_000_000);
    expect(parseCount('2g', true)).toBe(2e9);
    expect(parseCount('2g', false)).toBeUndefined();
  });
  it('reads durations in ms by default', () => {
    expect(parseDurationMs('500')).toBe(500);
    expect(parseDurationMs('2s')).toBe(2000);
    expect(parseDurationMs('1.5m')).toBe(90_000);
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('1w')).toBeUndefined();
  });
  it('turns partial times into the period they name', () => {
    const at = (s: string) => new Date(s).getTime();
    expect(parsePartialTime('2026-11-27')).toEqual([at('2026-11-27T00:00:00Z'), at('2026-11-28T00:00:00Z')]);
    expect(parsePartialTime('2026-11-27T10')).toEqual([at('2026-11-27T10:00:00Z'), at('2026-11-27T11:00:00Z')]);
    expect(parsePartialTime('2026-11-27T10:00')).toEqual([at('2026-11-27T10:00:00Z'), at('2026-11-27T10:01:00Z')]);
    expect(parsePartialTime('2026-11-27T10:00:05Z')).toEqual([at('2026-11-27T10:00:05Z'), at('2026-11-27T10:00:06Z')]);
    expect(parsePartialTime('2026-11-27T10:00:05.25')).toEqual([at('2026-11-27T10:00:05.250Z'), at('2026-11-27T10:00:05.260Z')]);
    expect(parsePartialTime('2026-11-27T10:00+01:00')).toBeUndefined();
  });
});

describe('man/fir-filter.7', () => {
  it('every line of EXAMPLES parses', async () => {
    const { readFileSync } = await import('node:fs');
    const page = readFileSync(new URL('../../man/fir-filter.7', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('.SH EXAMPLES'), page.indexOf('.SH ERRORS'));
    const lines = section.split('\n').filter((l) => l && !l.startsWith('.')).map((l) => l.replace(/\\-/g, '-'));
    expect(lines.length).toBeGreaterThan(15);
    for (const l of lines) expect(() => parseFilter(l), l).not.toThrow();
  });
});
