import { describe, expect, it } from 'vitest';
import { fastFieldReader } from './fastfields.js';

const read = fastFieldReader(['src', 'dst', 'pkts', 'start'], 'flow');

describe('fastFieldReader', () => {
  it('reads top-level strings and numbers as JSON.parse would', () => {
    const line = '{"kind":"flow","start":"2026-11-27T10:00:00.000Z","src":"10.0.0.1","dst":"2001:db8::1","pkts":-0.5e1}';
    const full = JSON.parse(line);
    expect(read(line)).toEqual({ kind: 'flow', start: full.start, src: full.src, dst: full.dst, pkts: full.pkts });
  });
  it('reads numbers of every JSON form', () => {
    const r = fastFieldReader(['a', 'b', 'c', 'd', 'e']);
    const line = '{"a":0,"b":-12,"c":1.5,"d":2e3,"e":12345678901234567}';
    expect(r(line)).toEqual(JSON.parse(line));
  });
  it('leaves absent fields out', () => {
    expect(read('{"src":"10.0.0.1"}')).toEqual({ src: '10.0.0.1' });
  });
  it('gives up when it cannot be sure, so the caller parses the line', () => {
    const unsure = [
      '{"dns":{"src":"1.1.1.1"},"src":"10.0.0.1"}', // the first "src" is nested
      '{"src":"10.0.\\u0030.1"}', // an escape in the value
      '{"src":null}',
      '{"src":["a"]}',
      '{"src" : "10.0.0.1"}',
      '{"kind":"event","src":"10.0.0.1"}', // another kind: reported by the caller
      '{"src":"10.0.0.1"', // truncated
      'not json',
      '',
    ];
    for (const l of unsure) expect(read(l), l).toBeUndefined();
  });
  it('is not fooled by a key name inside a string value', () => {
    const line = '{"detail":"x\\"src\\":\\"6.6.6.6\\"","src":"10.0.0.1"}';
    expect(JSON.parse(line).src).toBe('10.0.0.1');
    expect(read(line)).toEqual({ src: '10.0.0.1' });
  });
  it('accepts any kind when none is asked for', () => {
    expect(fastFieldReader(['src'])('{"kind":"event","src":"10.0.0.1"}')).toEqual({ src: '10.0.0.1' });
  });
});
