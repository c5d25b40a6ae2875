// Text written as bytes into a buffer, shared by the line writers of the flow meter and of the
// text readers (which write NDJSON in place instead of building strings).

/**
 * The decimal digits of v, a whole number from 0 to below 1e15 (the caller has checked), into
 * b at u; returns the offset after them. The caller has made room for 15 bytes. 32-bit integers,
 * nearly all counts and ports, take integer arithmetic; larger ones Math.floor.
 */
export function putDigits(b: Uint8Array, u: number, v: number): number {
  if (v < 10) {
    b[u] = 48 + v;
    return u + 1;
  }
  if ((v | 0) === v) {
    let d = 2;
    for (let t = v; t >= 100; t = (t / 10) | 0) d++;
    let e = u + d;
    let t = v;
    while (t >= 10) {
      const q = (t / 10) | 0;
      b[--e] = 48 + t - q * 10;
      t = q;
    }
    b[--e] = 48 + t;
    return u + d;
  }
  let d = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) d++;
  let e = u + d;
  let t = v;
  while (t >= 10) {
    const q = Math.floor(t / 10);
    b[--e] = 48 + (t - q * 10);
    t = q;
  }
  b[--e] = 48 + t;
  return u + d;
}
