// The capture readers' two outputs, records (read) and NDJSON text (readText, the command's
// fast path), must be the same bytes.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../diag.js';
import { warm } from './capture.js';
import { pcapReader } from './pcap.js';
import { pcapngReader } from './pcapng.js';
import type { FormatReader, ReadContext } from './types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRACES = path.resolve(ROOT, '..', 'shared', 'corpus', 'zeek', 'traces');

function ctx(): ReadContext {
  return { source: 'x.pcap', diag: new Diagnostics('ingest', { write: () => true }), options: { idleTimeoutMs: 0, activeTimeoutMs: 1_800_000, biflow: false, progress: false } };
}

async function both(reader: FormatReader, file: string): Promise<[string, string]> {
  const bytes = readFileSync(file);
  let objects = '';
  for await (const batch of reader.read(Readable.from([bytes]), ctx())) for (const r of batch) objects += JSON.stringify(r) + '\n';
  let text = '';
  for await (const t of reader.readText!(Readable.from([bytes]), ctx())) text += t;
  return [objects, text];
}

describe('capture readers: text and records agree', () => {
  const files = [
    ...['le-usec.pcap', 'be-nsec.pcap', 'fragments.pcap', 'encapsulations.pcap', 'tcp-states.pcap', 'sctp.pcap', 'sll.pcap', 'bogus-length.pcap', 'multi.pcapng'].map((f) => path.join(ROOT, 'testdata', 'pcap', f)),
    ...['dhcp/dhcp.pcap', 'tunnels/Teredo.pcap', 'tunnels/gre-sample.pcap', 'wikipedia.pcap', 'ipv6-fragmented-dns.pcap', 'pcapng-multi-interface.pcapng', 'cisco-fabric-path.pcap'].map((f) => path.join(TRACES, f)),
  ].filter((f) => existsSync(f));

  it('gives the same NDJSON bytes either way', async () => {
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) {
      const [objects, text] = await both(f.endsWith('.pcapng') ? pcapngReader : pcapReader, f);
      expect(text.length, f).toBeGreaterThan(0);
      expect(text, f).toBe(objects);
    }
  });
});

describe('warm', () => {
  it('reads one byte of every 64-byte line in [from, to) and nothing outside it', () => {
    const b = new Uint8Array(1000);
    for (let i = 0; i < b.length; i++) b[i] = i % 7;
    let want = 0;
    for (let q = 10; q < 900; q += 64) want += b[q];
    expect(warm(b, 10, 900)).toBe(want);
    // an empty or backward range reads nothing
    expect(warm(b, 500, 500)).toBe(0);
    expect(warm(b, 600, 500)).toBe(0);
  });
});
