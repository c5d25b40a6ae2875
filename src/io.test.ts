import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from './diag.js';
import { OutputClosed } from './errors.js';
import { Output, readLines, readRecords } from './io.js';

function collectDiag() {
  const lines: string[] = [];
  return { diag: new Diagnostics('test', { write: (s: string) => lines.push(s) }), lines };
}

describe('NDJSON input', () => {
  it('splits lines across chunk boundaries, CRLF and a missing final newline', async () => {
    const stdin = Readable.from([Buffer.from('{"a":1}\r\n{"b"'), Buffer.from(':2}\n\n{"c":'), Buffer.from('3}')]);
    const got = [];
    for await (const l of readLines(['-'], { stdin })) got.push([l.text, l.line]);
    expect(got).toEqual([['{"a":1}', 1], ['{"b":2}', 2], ['', 3], ['{"c":3}', 4]]);
  });

  it('keeps multi-byte characters split between chunks', async () => {
    const bytes = Buffer.from('{"n":"é"}\n');
    const stdin = Readable.from([bytes.subarray(0, 7), bytes.subarray(7)]);
    const got = [];
    for await (const l of readLines(['-'], { stdin })) got.push(l.text);
    expect(got).toEqual(['{"n":"é"}']);
  });

  it('reports bad lines with source:line and keeps the good ones', async () => {
    const { diag, lines } = collectDiag();
    const stdin = Readable.from(['{"a":1}\nnot json\n[1]\n{"b":2}\n']);
    const recs = [];
    for await (const batch of readRecords(['-'], { stdin, diag })) recs.push(...batch.map((r) => [r.rec, r.line, r.raw]));
    expect(recs).toEqual([[{ a: 1 }, 1, '{"a":1}'], [{ b: 2 }, 4, '{"b":2}']]);
    expect(diag.skipped).toBe(2);
    expect(lines[0]).toMatch(/^fir test: stdin:2: not JSON/);
    expect(lines[1]).toBe('fir test: stdin:3: not a JSON object\n');
  });

  it('reports a missing file and reads the others', async () => {
    const { diag, lines } = collectDiag();
    const stdin = Readable.from(['{"a":1}\n']);
    const recs = [];
    for await (const batch of readRecords(['/nonexistent/x.ndjson', '-'], { stdin, diag })) recs.push(...batch);
    expect(recs.length).toBe(1);
    expect(lines).toEqual(['fir test: /nonexistent/x.ndjson: cannot read: no such file\n']);
  });
});

describe('NDJSON output', () => {
  it('waits for drain when the stream is full (backpressure)', async () => {
    const chunks: string[] = [];
    let release: () => void = () => {};
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        release = cb;
      },
    });
    const out = new Output(slow, 8);
    const p = out.record({ a: 'xxxxxxxxxxxxxxxxxxxxxxxx' });
    expect(p).toBeInstanceOf(Promise);
    let done = false;
    void (p as Promise<void>).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    release();
    await p;
    expect(done).toBe(true);
    expect(chunks.join('')).toBe('{"a":"xxxxxxxxxxxxxxxxxxxxxxxx"}\n');
  });

  it('writes bytes after the queued text, in order, and waits when the stream is full', async () => {
    const chunks: Buffer[] = [];
    let release: () => void = () => {};
    const slow = new Writable({
      highWaterMark: 4,
      write(chunk, _enc, cb) {
        chunks.push(Buffer.from(chunk));
        release = cb;
      },
    });
    const out = new Output(slow, 1 << 16);
    expect(out.line('first')).toBeUndefined();
    const p = out.bytes(Buffer.from('{"é":1}\n'));
    expect(p).toBeInstanceOf(Promise);
    let done = false;
    void (p as Promise<void>).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    // let the stream take one chunk at a time until the bytes are all written
    while (!done) {
      release();
      await new Promise((r) => setTimeout(r, 1));
    }
    out.line('last');
    const f = out.flush();
    release();
    await f;
    expect(Buffer.concat(chunks).toString('utf8')).toBe('first\n{"é":1}\nlast\n');
  });

  it('turns EPIPE into OutputClosed', async () => {
    const s = new PassThrough();
    const out = new Output(s, 1);
    s.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(() => out.line('x')).toThrow(OutputClosed);
  });
});
