// fir ingest --threads N on text formats: worker threads read chunks of the file (made tiny
// here with FIR_INGEST_TEXT_CHUNK_BYTES, so a small file is many chunks) and the output must be
// the bytes, diagnostics (FILE:LINE, in order) and exit status of reading it in one thread:
// bad lines in several chunks, headers that change midway (the chunks after are re-read from
// the right state), Suricata DNS events held for flows in later chunks, a CSV that turns to
// quoted fields (read on by csv-parse), a header that stops the file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fir } from './helpers.js';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const F = 'testdata/formats';
const dir = mkdtempSync(path.join(os.tmpdir(), 'fir-text-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const linesOf = (f: string) => readFileSync(path.join(F, f), 'utf8').split('\n').filter((l) => l !== '');

/** `body` repeated to about n lines, with bad lines spread through it */
function spread(body: string[], n: number, bad: string[], every = 173): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    if (i > 0 && i % every === 0) out.push(bad[(i / every) % bad.length]);
    out.push(body[i % body.length]);
  }
  return out;
}

function write(name: string, lines: string[]): string {
  const f = path.join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

async function same(args: string[], minNotes: number) {
  const env = { FIR_INGEST_TEXT_CHUNK_BYTES: '4096' };
  const one = await fir(['ingest', ...args]);
  const two = await fir(['ingest', '--threads', '2', ...args], { env });
  const three = await fir(['ingest', '--threads', '3', ...args], { env: { FIR_INGEST_TEXT_CHUNK_BYTES: '2500' } });
  expect(one.stdout.length).toBeGreaterThan(10_000);
  expect(one.stderr.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(minNotes);
  for (const r of [two, three]) {
    expect(r.stderr).toBe(one.stderr);
    expect(r.stdout === one.stdout, 'the same bytes').toBe(true);
    expect(r.exitCode).toBe(one.exitCode);
  }
  return one;
}

describe('fir ingest --threads on text formats', { timeout: 120_000 }, () => {
  it('nfdump csv: bad rows in many chunks, a header that swaps two columns midway, the Summary', async () => {
    const all = linesOf('nfpcapd.csv');
    const header = all[0];
    const rows = all.slice(1, -3);
    const swapped = header.replace('sa,da,', 'da,sa,');
    const lines = [header, ...spread(rows, 1200, ['garbage', '2023-11-14 22:13:30,bad,1', '2023-11-14 22:13:30,2023-11-14 22:13:31,0.0,10.0.0.1,10.0.0.2,1,2,XXX'])];
    lines.splice(700, 0, swapped);
    const r = await same([write('flows.csv', [...lines, ...all.slice(-3)])], 6);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/flows\.csv:1[0-9]{3}: /);
  });

  it('nfdump csv: a header without the needed columns stops the file where it stands', async () => {
    const all = linesOf('nfpcapd.csv');
    const lines = [all[0], ...spread(all.slice(1, -3), 900, ['garbage'])];
    lines.splice(600, 0, 'ts,te,td,pr');
    const r = await same([write('stops.csv', lines)], 3);
    expect(r.stderr).toMatch(/stops\.csv:601: nfdump csv header without/);
  });

  it('nfdump json: pretty-printed objects cut between chunks, damaged ones reported', async () => {
    const text = readFileSync(path.join(F, 'nfpcapd.json'), 'utf8');
    const body = text.trim().replace(/^\[/, '').replace(/\]$/, '').split('\n}');
    const objs = body.map((o) => o.replace(/^,?\s*/, '') + '\n}').filter((o) => o.includes('"type"'));
    const out: string[] = [];
    for (let i = 0; i < 700; i++) {
      let o = objs[i % objs.length];
      if (i % 97 === 50) o = o.replace('"proto"', '"protx"');
      if (i % 131 === 70) o = o.replace(/"first" : "[^"]*"/, '"first" : "garbage"');
      out.push(o);
    }
    const r = await same([write('flows.json', ['[' + out.join(',\n') + ']'])], 8);
    expect(r.exitCode).toBe(1);
    const nd = linesOf('nfpcapd-40.ndjson');
    await same([write('flows.ndjson', spread(nd, 800, ['not json', '{"type":"FLOW","proto":6}']))], 4);
  });

  it('Argus: bad rows in many chunks', async () => {
    const all = linesOf('argus.csv');
    const r = await same([write('ra.csv', [all[0], ...spread(all.slice(1), 1500, ['1700000000.5,garbage,,,', 'x'])])], 6);
    expect(r.exitCode).toBe(1);
  });

  it('Zeek: lines before the header, a #fields that reorders the columns midway, JSON and other logs mixed in', async () => {
    const all = linesOf('zeek-tsv/conn.log');
    const head = all.filter((l) => l.startsWith('#') && !l.startsWith('#close'));
    const rows = all.filter((l) => !l.startsWith('#'));
    const fieldsAt = head.findIndex((l) => l.startsWith('#fields'));
    const names = head[fieldsAt].split('\t').slice(1);
    const [a, b] = [names.indexOf('id.orig_h'), names.indexOf('id.resp_h')];
    const swapRow = (l: string) => {
      const f = l.split('\t');
      [f[a], f[b]] = [f[b], f[a]];
      return f.join('\t');
    };
    const swappedNames = [...names];
    [swappedNames[a], swappedNames[b]] = [swappedNames[b], swappedNames[a]];
    const first = spread(rows, 900, ['bad\tline', '{"ts":1795773794.1,"uid":"Cq","id.orig_h":"10.1.1.1","id.orig_p":1,"id.resp_h":"10.1.1.2","id.resp_p":2,"proto":"tcp","duration":1.5,"orig_pkts":3,"orig_ip_bytes":300,"resp_pkts":0,"resp_ip_bytes":0,"conn_state":"S0","history":"S"}', '{"query":"x","trans_id":1}', '{bad json']);
    const second = spread(rows.map(swapRow), 900, ['bad\tline']);
    const lines = ['1795773787.0\tCx\t10.0.0.1', '1795773787.0\tCy\t10.0.0.1', '1795773787.0\tCz\t10.0.0.1', ...head, ...first, '#fields\t' + swappedNames.join('\t'), ...second];
    const r = await same([write('conn.log', lines)], 10);
    expect(r.stderr).toMatch(/conn\.log:1: a Zeek TSV line before the #fields header\n/);
    expect(r.stderr).toMatch(/conn\.log: 2 more lines without a #fields header skipped\n/);
    expect(r.stderr).toMatch(/records of a Zeek log other than conn\.log passed over/);
    // gzip cut short: the whole lines before the damage, then the same error
    const gz = gzipSync(readFileSync(path.join(dir, 'conn.log')));
    const cut = path.join(dir, 'cut.log.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.7)));
    const c = await same([cut], 3);
    expect(c.stderr).toMatch(/unexpected end of file/);
  });

  it('Suricata: DNS and DHCP events held for flows in later chunks, alerts, bad lines', async () => {
    const all = linesOf('eve.json');
    // flow-only stretches, then the fixture's dns/dhcp events whose flows come a few chunks later
    const flows = all.filter((l) => l.includes('"event_type":"flow"') || l.includes('"event_type":"netflow"'));
    const rest = all.filter((l) => !flows.includes(l));
    const lines = [...spread(flows, 600, ['not json', '[1]', '{"event_type":"flow"}']), ...rest, ...spread(flows, 300, ['{}']), ...flows, ...spread(flows, 600, ['not json'])];
    const r = await same([write('eve.json', lines)], 8);
    expect(r.stdout).toContain('"dns":{');
    expect(r.stdout).toContain('"kind":"event"');
  });

  it('CSV with --map: bad rows in many chunks, then a quoted line from which csv-parse reads on', async () => {
    const map = 'start=Start,end=End,proto=Protocol,src=SrcAddr,sport=SrcPort,dst=DstAddr,dport=DstPort,pkts=Packets,bytes=Octets,rpkts=RevPackets,rbytes=RevOctets,flags=TcpFlags';
    const all = linesOf('generic.csv');
    const plain = all.slice(1).filter((l) => !l.includes('"'));
    const quoted = all.slice(1).filter((l) => l.includes('"'));
    const lines = [all[0], ...spread(plain, 1400, ['1795773792.25,x,tcp,1.2.3.4,1,5.6.7.8,2,1,1,,,']), ...quoted, ...spread(plain, 300, ['a,"b\nc",d'])];
    const r = await same(['--map', map, write('other.csv', lines)], 10);
    expect(r.exitCode).toBe(1);
    // a map the header lacks stops the file at its header, whichever thread reads it
    await same(['--map', map.replace('SrcAddr', 'Nope'), path.join(dir, 'other.csv'), write('ra2.csv', [linesOf('argus.csv')[0], ...spread(linesOf('argus.csv').slice(1), 600, ['x'])])], 2);
  });
});
