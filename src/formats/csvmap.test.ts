import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../diag.js';
import { csvMap } from './csvmap.js';
import type { IngestOptions } from './types.js';

const MAP = { start: 'Start', end: 'End', proto: 'Proto', src: 'Src', sport: 'SPort', dst: 'Dst', dport: 'DPort', pkts: 'Pkts', bytes: 'Bytes' };
const HEADER = 'Start,End,Proto,Src,SPort,Dst,DPort,Pkts,Bytes';
const ROW = (src: string) => `2026-11-27 10:03:07.412,2026-11-27 10:03:09.118,tcp,${src},51514,192.168.1.225,22,24,3290`;

/** What the reader writes for this text: the NDJSON of readText and of read, and the diagnostics. */
async function run(text: string, chunk = 7): Promise<{ text: string; objects: string; diag: string }> {
  const options = { map: MAP, biflow: false, idleTimeoutMs: 0, activeTimeoutMs: 1, progress: false } as IngestOptions;
  const pieces = (): Buffer[] => {
    const b = Buffer.from(text);
    const out: Buffer[] = [];
    for (let i = 0; i < b.length; i += chunk) out.push(b.subarray(i, i + chunk));
    return out;
  };
  let diag = '';
  const d = new Diagnostics('ingest', { write: (s: string) => (diag += s) });
  let outText = '';
  for await (const t of csvMap.readText!(Readable.from(pieces()), { source: 'x.csv', diag: d, options })) outText += t;
  const textDiag = diag;
  diag = '';
  let objects = '';
  for await (const b of csvMap.read(Readable.from(pieces()), { source: 'x.csv', diag: new Diagnostics('ingest', { write: (s: string) => (diag += s) }), options })) for (const r of b) objects += JSON.stringify(r) + '\n';
  expect(diag).toBe(textDiag);
  return { text: outText, objects, diag };
}

describe('csv --map reader', () => {
  it('reads plain lines itself and the rest by csv-parse from the first quote on, with the same records and line numbers', async () => {
    const plain = [HEADER, ROW('10.0.0.1'), '', ROW('10.0.0.300'), ROW('10.0.0.2'), ROW('10.0.0.3'), 'bad,row', ROW('10.0.0.4')].join('\n') + '\n';
    const quoted = [HEADER, ROW('10.0.0.1'), '', ROW('10.0.0.300'), ROW('"10.0.0.2"'), ROW('10.0.0.3'), 'bad,row', ROW('10.0.0.4')].join('\n') + '\n';
    const a = await run(plain);
    const b = await run(quoted);
    expect(a.text).toBe(a.objects);
    expect(b.text).toBe(b.objects);
    expect(b.text).toBe(a.text);
    expect(a.text.trim().split('\n').map((l) => JSON.parse(l).origin)).toEqual(['x.csv:2', 'x.csv:5', 'x.csv:6', 'x.csv:8']);
    expect(a.diag).toBe('fir ingest: x.csv:4: bad address 10.0.0.300\nfir ingest: x.csv:7: bad start time bad\n');
    expect(b.diag).toBe(a.diag);
  });

  it('takes a byte order mark, CRLF lines and a last line without a newline', async () => {
    const a = await run([HEADER, ROW('10.0.0.1'), ROW('10.0.0.2')].join('\n') + '\n');
    const b = await run('\ufeff' + [HEADER, ROW('10.0.0.1'), ROW('10.0.0.2')].join('\r\n'));
    expect(b.text).toBe(a.text);
    expect(b.diag).toBe('');
  });

  it('a quoted field over two lines is one record, numbered by its last line', async () => {
    const r = await run([HEADER, ROW('"10.0.0.1'), 'x"'].join('\n') + '\n' + ROW('10.0.0.9') + '\n');
    expect(r.diag).toBe('fir ingest: x.csv:3: bad address 10.0.0.1,51514,192.168.1.225,22,24,3290\\nx\n');
    expect(JSON.parse(r.text).origin).toBe('x.csv:4');
  });
});
