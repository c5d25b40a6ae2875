import { describe, expect, it } from 'vitest';
import { countNewlines } from './text-parallel.js';

describe('countNewlines', () => {
  it('counts the newlines of every range of a buffer, as a loop over its bytes does', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) / 65536;
    for (let t = 0; t < 20; t++) {
      const b = Buffer.alloc(Math.floor(rnd() * 64));
      for (let i = 0; i < b.length; i++) b[i] = rnd() < 0.3 ? 10 : 97 + Math.floor(rnd() * 3);
      for (let from = 0; from <= b.length; from++) {
        for (let to = from; to <= b.length; to++) {
          let n = 0;
          for (let i = from; i < to; i++) if (b[i] === 10) n++;
          expect(countNewlines(b, from, to)).toBe(n);
        }
      }
    }
    expect(countNewlines(Buffer.from('a\nb\n'))).toBe(2);
    expect(countNewlines(Buffer.alloc(0))).toBe(0);
  });
});
