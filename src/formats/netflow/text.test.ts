import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { communityId, flagLetters, flagsByte, stableId } from './normalize.js';
import { jsonObjects, JsonScanner, parseDateTime, parseTime } from './text.js';

describe('times', () => {
  it('reads the forms other tools write', () => {
    const t = Date.UTC(2026, 10, 27, 10, 3, 7, 412);
    expect(parseDateTime('2026-11-27 10:03:07.412')).toBe(t);
    expect(parseDateTime('2026-11-27T10:03:07.412345Z')).toBe(t);
    expect(parseDateTime('2026-11-27T10:03:07.412345+0000')).toBe(t);
    expect(parseDateTime('2026-11-27T12:03:07.412+02:00')).toBe(t);
    expect(parseDateTime('2026/11/27 10:03:07.412')).toBe(t);
    expect(parseDateTime('2026-11-27 10:03:07')).toBe(t - 412);
    expect(parseTime('1795773787.412')).toBe(t);
    expect(parseTime('1795773787412')).toBe(t);
    expect(parseTime('1795773787412000')).toBe(t);
    expect(parseTime('1795773787412000000')).toBe(t);
    expect(parseTime('1795773787', 'epoch')).toBe(t - 412);
    expect(parseTime('1795773787412', 'epoch-ms')).toBe(t);
  });
  it('refuses what is not a time', () => {
    for (const s of ['XXXXXXXXXX.XXXXXX', '2026-13-01 00:00:00', 'yesterday', '', '2026-11-27', '2026-11-27 10:03:07.']) expect(parseTime(s)).toBeNaN();
    expect(parseTime('2026-11-27 10:03:07', 'epoch')).toBeNaN();
  });
});

describe('jsonObjects', () => {
  it('splits an array of pretty-printed objects and one-object lines, with their line numbers', async () => {
    const text = '[\n{\n\t"a" : "}{",\n\t"b" : 1\n},\n{ "c": [1, {"d": 2}] }\n]\n{"e":"\\""}\n';
    const got: { text: string; line: number }[] = [];
    const bad: number[] = [];
    // one byte at a time: objects straddle chunks
    for await (const b of jsonObjects(Readable.from(text.split('').map((c) => Buffer.from(c))), (l) => bad.push(l))) got.push(...b);
    expect(got.map((o) => [JSON.parse(o.text), o.line])).toEqual([[{ a: '}{', b: 1 }, 2], [{ c: [1, { d: 2 }] }, 6], [{ e: '"' }, 8]]);
    expect(bad).toEqual([]);
  });
  it('reports junk and an unfinished object', async () => {
    const bad: [number, string][] = [];
    for await (const _ of jsonObjects(Readable.from(['oops\n{"a":1}\n{"b":']), (l, r) => bad.push([l, r]))) void _;
    expect(bad).toEqual([[1, 'not a JSON object'], [3, 'the input ends inside a JSON object']]);
  });
  it('finds the same objects, lines and junk however the text is cut (strings skipped whole or char by char)', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const pieces = ['"a"', '"b\\\\"', '"q\\"uote"', '"c\\"d"', '"{[}]"', '"line\nbreak"', '"raw\nnewline"', '"\\\\"', '1', 'true', ' ', '\t', '\n', ':', ','];
    const parts: string[] = ['['];
    for (let k = 0; k < 300; k++) {
      if (rnd(40) === 0) parts.push('junk\n');
      parts.push(rnd(2) ? '{\n' : '{');
      for (let j = rnd(8); j > 0; j--) parts.push(pieces[rnd(pieces.length)], rnd(5) === 0 ? '{"x":[1,{}]}' : '');
      parts.push(rnd(2) ? '\n},\n' : '}, ');
    }
    parts.push('{"open":"');
    const text = parts.join('');
    const scan = (cuts: number[]) => {
      const got: [string, number, string?][] = [];
      const s = new JsonScanner(undefined);
      let from = 0;
      for (const c of [...cuts, text.length]) {
        for (const o of s.feed(text.slice(from, c))) got.push([o.text, o.line, o.bad]);
        from = c;
      }
      for (const o of s.end()) got.push([o.text, o.line, o.bad]);
      return got;
    };
    const whole = scan([]);
    expect(whole.length).toBeGreaterThan(300);
    expect(whole.filter((o) => o[2] === 'not a JSON object').length).toBeGreaterThan(2);
    expect(whole[whole.length - 1][2]).toBe('the input ends inside a JSON object');
    // one character at a time: no string is ever skipped whole
    expect(scan(Array.from({ length: text.length - 1 }, (_, i) => i + 1))).toEqual(whole);
    for (let t = 0; t < 20; t++) {
      const cuts = Array.from({ length: 1 + rnd(30) }, () => rnd(text.length)).sort((a, b) => a - b);
      expect(scan(cuts)).toEqual(whole);
    }
  });
});

describe('flow fields', () => {
  it('TCP flag letters in CEUAPRSF order, both ways', () => {
    expect(flagLetters(0x1b)).toBe('APSF');
    expect(flagLetters(0xc2)).toBe('CES');
    expect(flagsByte('...AP.SF')).toBe(0x1b);
    expect(flagsByte('FSPA')).toBe(0x1b);
    expect(flagsByte('xyz')).toBe(-1);
  });
  it('Community ID v1 matches the spec examples', () => {
    // from the Community ID spec's baseline (tcp.pcap, seed 0)
    expect(communityId(6, '128.232.110.120', '66.35.250.204', 34855, 80)).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(communityId(6, '66.35.250.204', '128.232.110.120', 80, 34855)).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    // ipv6.pcap of the same baseline
    expect(communityId(6, '2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 63943, 25)).toBe('1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=');
    expect(communityId(6, '2607:F8B0:400C:C03:0:0:0:1A', '2001:470:e5bf:dead:4957:2174:e82c:4887', 25, 63943)).toBe('1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=');
    expect(communityId(6, '1:::2', '::1', 1, 2)).toBeUndefined();
  });
  it('stable ids', () => {
    expect(stableId('a.csv:2')).toBe(stableId('a.csv:2'));
    expect(stableId('a.csv:2')).not.toBe(stableId('a.csv:3'));
    expect(stableId('x')).toMatch(/^[0-9a-f]{16}$/);
  });
});
