// Mutated export datagrams through the decoders: a fixed seed, a bounded number of rounds, and
// nothing may throw, hang or grow past the per-exporter bounds.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetflowDecoder, exportedToFlow } from './decoder.js';
import { ExportCaptureWalker, type Datagram } from './pcap-export.js';
import { LIMITS } from './templates.js';

const FIX = path.resolve(__dirname, '../../../testdata/netflow');

function datagrams(file: string): Datagram[] {
  const b = readFileSync(path.join(FIX, file));
  const out: Datagram[] = [];
  new ExportCaptureWalker(() => {}).feed(b, 0, b.length, out);
  return out;
}

/** xorshift32: the same sequence on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

function mutate(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src);
  const kind = Math.floor(r() * 6);
  const n = 1 + Math.floor(r() * 8);
  switch (kind) {
    case 0: // flip random bytes
      for (let i = 0; i < n; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      return b;
    case 1: // truncate
      return b.subarray(0, Math.floor(r() * b.length));
    case 2: { // hit a 16-bit length or id field at a 4-byte boundary with an extreme value
      const o = Math.floor((r() * (b.length - 2)) / 2) * 2;
      b.writeUInt16BE([0, 1, 2, 3, 4, 255, 256, 0x8000, 0xffff][Math.floor(r() * 9)], o);
      return b;
    }
    case 3: // append junk
      return Buffer.concat([b, Buffer.from(Array.from({ length: n * 8 }, () => Math.floor(r() * 256)))]);
    case 4: { // duplicate a slice into another place
      const from = Math.floor(r() * b.length);
      const to = Math.floor(r() * b.length);
      b.copy(b, to, from, Math.min(b.length, from + n * 4));
      return b;
    }
    default: // random bytes of a plausible header
      return Buffer.concat([b.subarray(0, 4), Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)))]);
  }
}

describe('fuzzing the export decoders', () => {
  const sources = ['export-v5.pcap', 'export-v9.pcap', 'export-ipfix.pcap', 'export-ipfix-biflow.pcap', 'export-ipfix-ms.pcap'].flatMap(datagrams);

  it('survives 10,000 mutated datagrams without throwing, and stays bounded', () => {
    const r = rng(20261127);
    let errors = 0;
    const escaped: string[] = [];
    // "undecodable" is the decoder's last line of defence: a check missed somewhere
    const dec = new NetflowDecoder((_e, _n, reason) => {
      errors++;
      if (reason.startsWith('undecodable')) escaped.push(reason);
    });
    let flows = 0;
    const malformed: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const d = sources[Math.floor(r() * sources.length)];
      // a few exporters, so that template state of good and bad packets mixes
      const exporter = `10.0.0.${Math.floor(r() * 4)}`;
      const pkt = r() < 0.15 ? d.payload : mutate(d.payload, r);
      const out = dec.decode(pkt, exporter);
      for (const f of out) {
        const rec = exportedToFlow(f, 'fuzz');
        // what comes out is still a well-formed record (checked by hand: expect() per flow is slow)
        if (typeof rec.start !== 'string' || !(rec.pkts >= 0) || !(rec.bytes >= 0) || typeof rec.src !== 'string') malformed.push(JSON.stringify(rec));
        flows++;
      }
    }
    expect(escaped).toEqual([]);
    expect(malformed.slice(0, 3)).toEqual([]);
    expect(errors).toBeGreaterThan(500);
    expect(flows).toBeGreaterThan(1000);
    for (const e of dec.stats()) {
      expect(e.held.length).toBeLessThanOrEqual(LIMITS.heldSets);
      expect(e.heldBytes).toBeLessThanOrEqual(LIMITS.heldBytes);
      expect(e.domains.size).toBeLessThanOrEqual(LIMITS.domains);
      for (const d of e.domains.values()) expect(d.templates.size).toBeLessThanOrEqual(LIMITS.templates);
    }
  }, 120_000);

  it('the walker of export captures survives damaged captures', () => {
    const r = rng(7);
    const cap = readFileSync(path.join(FIX, 'export-ipfix.pcap'));
    for (let i = 0; i < 500; i++) {
      const b = mutate(cap, r);
      const out: Datagram[] = [];
      const w = new ExportCaptureWalker(() => {});
      const pos = w.feed(b, 0, b.length, out);
      expect(pos === -1 || (pos >= 0 && pos <= b.length)).toBe(true);
    }
  });
});
