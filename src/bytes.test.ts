import { describe, expect, it } from 'vitest';
import { putDigits } from './bytes.js';

describe('putDigits', () => {
  it('writes the decimal digits of whole numbers from 0 to below 1e15, as String() does', () => {
    const b = new Uint8Array(32);
    for (const v of [0, 7, 9, 10, 99, 100, 101, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 10 ** 12, 999_999_999_999_999]) {
      const end = putDigits(b, 3, v);
      expect(Buffer.from(b.subarray(3, end)).toString('latin1'), String(v)).toBe(String(v));
    }
  });
});
