// fir filter on the command line: exit statuses, diagnostics, raw pass-through, -v, --rejects,
// --ip-list, and the worker-thread path giving the same bytes as the single-thread one.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRecords, fir, hasShared, records, TESTDATA } from './helpers.js';

const FLOWS = path.join(TESTDATA, 'filter', 'flows.ndjson');
const EVENTS = path.join(TESTDATA, 'filter', 'events.ndjson');
const MALFORMED = path.join(TESTDATA, 'filter', 'malformed.ndjson');
const BAD_IPS = path.join(TESTDATA, 'filter', 'bad-ips.txt');
const tmp = mkdtempSync(path.join(tmpdir(), 'fir-filter-'));
const ids = (text: string) => records(text).map((r) => r.id);

describe('fir filter', () => {
  it('passes matching records from files and stdin', async () => {
    const a = await fir(['filter', 'dst port 22', FLOWS]);
    expect(a.exitCode).toBe(0);
    expect(ids(a.stdout)).toEqual(['f1', 'f12']);
    const b = await fir(['filter', 'dst port 22'], { inputFile: FLOWS });
    expect(b.stdout).toBe(a.stdout);
    const c = await fir(['filter', 'host 192.168.1.100', FLOWS, EVENTS]);
    expect(ids(c.stdout)).toEqual(['f1', 'f2', 'f3', 'f6', 'e1', 'e2', 'e3', 'e4']);
    if (hasShared) expect((await checkRecords(c.stdout)).ok).toBe(true);
  });

  it('writes records as the bytes they came in with', async () => {
    const line = '{ "proto" : "tcp",  "dport":22, "src":"10.0.0.1", "x":1.50, "kind":"flow", "s":"caf\\u00e9 ü" }';
    const r = await fir(['filter', 'port 22'], { input: `${line}\r\n{"dport":23}\n` });
    expect(r.stdout).toBe(line + '\n');
  });

  it('reports a syntax error with the expression and a caret, exit 2', async () => {
    const r = await fir(['filter', 'dst port 22 and src nett 10.0.0.0/16'], { input: '' });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "fir filter: syntax error at column 21: expected ip, host, net, port, mac, packets, bytes, flags or an address after 'src', found 'nett'\n" +
        '  dst port 22 and src nett 10.0.0.0/16\n' +
        '                      ^\n',
    );
  });

  it('escapes control characters in the echoed expression and keeps the caret aligned', async () => {
    const r = await fir(['filter', 'app \u001b[31m x'], { input: '' });
    expect(r.exitCode).toBe(2);
    const [, shown, caret] = r.stderr.split('\n');
    expect(shown).toBe('  app \\x1b[31m x');
    expect(caret.indexOf('^')).toBe(shown.indexOf('[')); // the '[' after the escaped ESC
  });

  it('skips malformed lines with source:line, still passes the others, exit 1', async () => {
    const r = await fir(['filter', 'dst port 22', MALFORMED]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^fir filter: ${MALFORMED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not JSON`));
    expect(lines[1]).toContain(':4: not a JSON object');
    expect(lines[2]).toContain(':7: not JSON');
  });

  it('-v inverts and --rejects gets exactly the rest', async () => {
    const rej = path.join(tmp, 'rejects.ndjson');
    const r = await fir(['filter', 'proto tcp', '--rejects', rej, FLOWS]);
    expect(r.exitCode).toBe(0);
    const v = await fir(['filter', '-v', 'proto tcp', FLOWS]);
    expect(readFileSync(rej, 'utf8')).toBe(v.stdout);
    const all = readFileSync(FLOWS, 'utf8').split('\n').filter(Boolean);
    const got = [...r.stdout.split('\n'), ...v.stdout.split('\n')].filter(Boolean);
    expect(got.sort()).toEqual([...all].sort());
    expect(ids(v.stdout)).toEqual(['f4', 'f5', 'f6', 'f8', 'f9', 'f10', 'f11']);
  });

  it('--ip-list keeps records with an address in the list, and-ed with the expression', async () => {
    const r = await fir(['filter', '--ip-list', BAD_IPS, 'any', FLOWS, EVENTS]);
    expect(r.exitCode).toBe(0);
    expect(ids(r.stdout)).toEqual(['f4', 'f7', 'f12', 'e5', 'e6']);
    const t = await fir(['filter', '--ip-list', BAD_IPS, 'proto tcp', FLOWS]);
    expect(ids(t.stdout)).toEqual(['f7', 'f12']);
  });

  it('--ip-list handles thousands of entries', async () => {
    const list = path.join(tmp, 'many.txt');
    const lines = ['# generated'];
    for (let i = 0; i < 5000; i++) lines.push(`10.${(i >> 8) & 255}.${i & 255}.0/24`);
    lines.push('192.168.1.225', '2001:db8:0:1::/64');
    writeFileSync(list, lines.join('\n') + '\n');
    const r = await fir(['filter', '--ip-list', list, 'any', FLOWS]);
    expect(ids(r.stdout)).toEqual(['f1', 'f7', 'f9', 'f11', 'f12']);
  });

  it('rejects a bad --ip-list entry with file:line, exit 2', async () => {
    const list = path.join(tmp, 'bad.txt');
    writeFileSync(list, '10.0.0.1\n# ok\nnot-an-address\n');
    const r = await fir(['filter', '--ip-list', list, 'any'], { input: '' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`fir filter: --ip-list ${list}:3: not an IP address or network: not-an-address\n`);
  });

  it('reports a missing input file and reads the others, exit 1', async () => {
    const r = await fir(['filter', 'any', path.join(tmp, 'nope.ndjson'), FLOWS]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('nope.ndjson: cannot read: no such file');
    expect(ids(r.stdout)).toHaveLength(12);
  });

  it('gives the same bytes and diagnostics with worker threads, across block boundaries', async () => {
    // ~3 MiB: several 1 MiB blocks, with bad lines, CRLF, non-ASCII text and a last line without \n
    const base = readFileSync(FLOWS, 'utf8').split('\n').filter(Boolean);
    const out: string[] = [];
    for (let i = 0; i < 7000; i++) {
      const l = base[i % base.length];
      if (i % 997 === 0) out.push('{"broken": ');
      else if (i % 1999 === 0) out.push(l.replace('"origin":"lab.pcap"', '"origin":"café ☕"') + '\r');
      else out.push(l);
    }
    const big = path.join(tmp, 'big.ndjson');
    writeFileSync(big, out.join('\n'));
    const one = await fir(['filter', '--threads', '1', 'port 22 or dns name example.com', big, FLOWS]);
    const three = await fir(['filter', '--threads', '3', 'port 22 or dns name example.com', big, FLOWS]);
    expect(three.exitCode).toBe(1);
    expect(three.stdout).toBe(one.stdout);
    expect(three.stderr).toBe(one.stderr);
    expect(three.stderr.split('\n').filter(Boolean)).toHaveLength(8);
    const all = await fir(['filter', '--threads', '2', 'any'], { inputFile: big });
    expect(all.stdout).toBe(out.filter((l) => !l.startsWith('{"broken"')).map((l) => l.replace(/\r$/, '') + '\n').join(''));
    const rej1 = path.join(tmp, 'r1.ndjson');
    const rej2 = path.join(tmp, 'r2.ndjson');
    expect((await fir(['filter', '--threads', '1', '--rejects', rej1, 'proto udp', big])).exitCode).toBe(1);
    expect((await fir(['filter', '--threads', '2', '--rejects', rej2, 'proto udp', big])).exitCode).toBe(1);
    expect(readFileSync(rej2, 'utf8')).toBe(readFileSync(rej1, 'utf8'));
  });
});
