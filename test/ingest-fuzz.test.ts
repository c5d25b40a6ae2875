// Mutated captures through the capture readers, the packet decoders and the flow meter, in
// process: random byte flips, truncations, length fields set to huge values, and random chunk
// boundaries. No exception may escape, every read must end, and what comes out must still be
// valid flow records. Fixed seed, bounded number of iterations.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../src/diag.js';
import { pcapReader } from '../src/formats/pcap.js';
import { pcapngReader } from '../src/formats/pcapng.js';
import type { FormatReader, IngestOptions } from '../src/formats/types.js';
import { SHARED, TESTDATA } from './helpers.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x00ffffff, 0xfffffff0, 0x10000, 0];

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  let b = src.slice();
  const kind = Math.floor(rnd() * 4);
  const n = 1 + Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * b.length);
    if (kind === 0 || kind === 3) {
      b[at] ^= 1 << Math.floor(rnd() * 8);
    } else if (kind === 1) {
      // a length-like 32-bit field set to a huge value, at a 4-byte boundary
      const o = at & ~3;
      const v = HUGE[Math.floor(rnd() * HUGE.length)];
      if (o + 4 <= b.length) {
        b[o] = v & 255;
        b[o + 1] = (v >>> 8) & 255;
        b[o + 2] = (v >>> 16) & 255;
        b[o + 3] = v >>> 24;
      }
    } else {
      b[at] = Math.floor(rnd() * 256);
    }
  }
  if (kind === 3 || rnd() < 0.3) b = b.subarray(0, Math.floor(rnd() * b.length));
  return b;
}

/** The bytes as a stream of random-sized chunks, so records straddle chunk boundaries. */
function chunked(b: Uint8Array, rnd: () => number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; ) {
    const n = 1 + Math.floor(rnd() * Math.min(4096, b.length - i));
    parts.push(Buffer.from(b.subarray(i, i + n)));
    i += n;
  }
  return Readable.from(parts);
}

const options: IngestOptions = { idleTimeoutMs: 0, activeTimeoutMs: 1_800_000, biflow: false, progress: false };

async function run(reader: FormatReader, bytes: Uint8Array, rnd: () => number): Promise<{ flows: Record<string, unknown>[]; diags: string[] }> {
  const diags: string[] = [];
  const diag = new Diagnostics('ingest', { write: (s: string) => diags.push(s) });
  const flows: Record<string, unknown>[] = [];
  for await (const batch of reader.read(chunked(bytes, rnd), { source: 'fuzz.pcap', diag, options })) {
    for (const r of batch) flows.push(r as Record<string, unknown>);
  }
  return { flows, diags };
}

const seeds: { file: string; reader: FormatReader }[] = [
  ['le-usec.pcap', pcapReader],
  ['be-nsec.pcap', pcapReader],
  ['fragments.pcap', pcapReader],
  ['encapsulations.pcap', pcapReader],
  ['tcp-states.pcap', pcapReader],
  ['sll2.pcap', pcapReader],
  ['multi.pcapng', pcapngReader],
].map(([f, reader]) => ({ file: path.join(TESTDATA, 'pcap', f as string), reader: reader as FormatReader }));
for (const f of ['tunnels/gre-sample.pcap', 'tunnels/Teredo.pcap', 'tunnels/vxlan.pcap', 'pcapng-multi-interface.pcapng', 'ipv6-fragmented-dns.pcap']) {
  const p = path.join(SHARED, 'corpus', 'zeek', 'traces', f);
  if (existsSync(p)) seeds.push({ file: p, reader: f.endsWith('pcapng') ? pcapngReader : pcapReader });
}

describe('fuzzed captures', () => {
  it('never throw, always end, and give valid records', { timeout: 120_000 }, async () => {
    const rnd = mulberry32(20261128);
    const ITER = 200;
    let runs = 0;
    let damaged = 0;
    for (const s of seeds) {
      const orig = new Uint8Array(readFileSync(s.file));
      for (let i = 0; i < ITER; i++) {
        const bytes = mutate(orig, rnd);
        const { flows, diags } = await run(s.reader, bytes, rnd);
        runs++;
        if (diags.length) damaged++;
        for (const d of diags) expect(d).toMatch(/^fir ingest: fuzz\.pcap: /);
        for (const f of flows) {
          expect(f.kind).toBe('flow');
          expect(typeof f.start).toBe('string');
          expect(JSON.stringify(f)).not.toContain('null');
          expect(Number.isInteger(f.pkts) && (f.pkts as number) >= 0).toBe(true);
        }
      }
    }
    expect(runs).toBe(seeds.length * ITER);
    expect(damaged).toBeGreaterThan(0);
  });

  it('ends on a capture whose records all claim huge lengths', async () => {
    const rnd = mulberry32(7);
    const b = new Uint8Array(24 + 16 * 4096);
    b.set([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0], 0);
    b.set([0xff, 0xff, 0, 0, 1, 0, 0, 0], 16);
    for (let o = 24; o < b.length; o += 4) b.set([0xff, 0xff, 0xff, 0xff], o);
    const { flows, diags } = await run(pcapReader, b, rnd);
    expect(flows).toEqual([]);
    expect(diags.length).toBeGreaterThan(0);
  });
});
