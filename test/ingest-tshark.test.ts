// fir's TCP and UDP flows against tshark's conversations (`tshark -q -z conv,tcp -z conv,udp`)
// on the lab capture. tshark keeps one conversation per address/port pair for the whole
// capture, so fir's flows of a pair (split by timeouts or port reuse) are added up first;
// then the frames per direction must be equal. Without tshark the committed output of the same
// command (testdata/lab/seed-story/derived/tshark_conv.txt) is used.
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fir, records, TESTDATA } from './helpers.js';

const LAB = path.join(TESTDATA, 'lab', 'seed-story');
const CAPTURE = path.join(LAB, 'capture.pcap');

interface Conv {
  proto: string;
  a: string;
  b: string;
  /** frames from a to b, and from b to a */
  ab: number;
  ba: number;
}

function endpoint(s: string): string {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(s);
  return m ? `${m[1]}|${m[2]}` : s;
}

function parseConv(text: string): Conv[] {
  const out: Conv[] = [];
  let proto = '';
  for (const line of text.split('\n')) {
    if (/^TCP Conversations/.test(line)) proto = 'tcp';
    else if (/^UDP Conversations/.test(line)) proto = 'udp';
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+[\d.]+\s+\S+\s+(\d+)\s+[\d.]+\s+\S+\s+\d+/.exec(line);
    if (!m || !proto) continue;
    out.push({ proto, a: endpoint(m[1]), b: endpoint(m[2]), ba: Number(m[3]), ab: Number(m[4]) });
  }
  return out;
}

async function tsharkConv(): Promise<string> {
  const r = await execa('tshark', ['-r', CAPTURE, '-n', '-q', '-z', 'conv,tcp', '-z', 'conv,udp'], { reject: false });
  if (r.exitCode === 0) return String(r.stdout);
  return readFileSync(path.join(LAB, 'derived', 'tshark_conv.txt'), 'utf8');
}

describe.skipIf(!existsSync(CAPTURE))('fir ingest against tshark conversations', () => {
  it('has the same TCP and UDP conversations with the same frames per direction', { timeout: 120_000 }, async () => {
    const [conv, r] = await Promise.all([tsharkConv(), fir(['ingest', CAPTURE])]);
    expect(r.exitCode).toBe(0);
    const convs = parseConv(conv);
    expect(convs.length).toBeGreaterThan(100);
    // fir's flows summed per address/port pair, counted from the pair's first endpoint
    const sums = new Map<string, Map<string, number>>();
    for (const f of records(r.stdout)) {
      if (f.proto !== 'tcp' && f.proto !== 'udp') continue;
      const s = `${f.src}|${f.sport}`;
      const d = `${f.dst}|${f.dport}`;
      const k = `${f.proto} ${[s, d].sort().join(' ')}`;
      const m = sums.get(k) ?? new Map<string, number>();
      m.set(s, (m.get(s) ?? 0) + f.pkts);
      m.set(d, (m.get(d) ?? 0) + f.rpkts);
      sums.set(k, m);
    }
    let found = 0;
    let equal = 0;
    const diffs: string[] = [];
    for (const c of convs) {
      const m = sums.get(`${c.proto} ${[c.a, c.b].sort().join(' ')}`);
      if (!m) {
        diffs.push(`missing ${c.proto} ${c.a} ${c.b}`);
        continue;
      }
      found++;
      if ((m.get(c.a) ?? 0) === c.ab && (m.get(c.b) ?? 0) === c.ba) equal++;
      else diffs.push(`${c.proto} ${c.a} ${c.b}: tshark ${c.ab}/${c.ba} fir ${m.get(c.a)}/${m.get(c.b)}`);
    }
    console.log(`tshark: ${convs.length} conversations, ${found} found, ${equal} with equal frames per direction${diffs.length ? '; first differences: ' + diffs.slice(0, 5).join('; ') : ''}`);
    expect(found).toBe(convs.length);
    expect(equal / convs.length).toBeGreaterThanOrEqual(0.99); // reached: 100% (3442 of 3442)
  });
});
