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

/**
 * Text a line writer writes as it is (the names of members with their punctuation, the
 * origin): its 4-byte words, as DataView.setUint32 writes them (little-endian), and the bytes
 * after the last whole word, to be written four bytes a store (putRun) rather than one.
 */
export interface Run {
  readonly words: Uint32Array;
  readonly tail: Uint8Array;
  /** bytes in all */
  readonly length: number;
}

/** The Run of some bytes. */
export function runOfBytes(k: Uint8Array): Run {
  const n = k.length >> 2;
  const words = new Uint32Array(n);
  const dv = new DataView(k.buffer, k.byteOffset, k.byteLength);
  for (let i = 0; i < n; i++) words[i] = dv.getUint32(i * 4, true);
  return { words, tail: Uint8Array.from(k.subarray(n * 4)), length: k.length };
}

/** The Run of some ASCII text. */
export function run(ascii: string): Run {
  return runOfBytes(Buffer.from(ascii, 'latin1'));
}

/** a DataView of the array putRun wrote into last */
let viewOf: Uint8Array | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/** The text of r into b at u (the caller has made room); returns the offset after it. */
export function putRun(b: Uint8Array, u: number, r: Run): number {
  if (b !== viewOf) {
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    viewOf = b;
  }
  const w = r.words;
  for (let i = 0; i < w.length; i++) {
    view.setUint32(u, w[i], true);
    u += 4;
  }
  const t = r.tail;
  for (let i = 0; i < t.length; i++) b[u++] = t[i];
  return u;
}
