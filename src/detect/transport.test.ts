import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CidrSet } from '../net.js';
import type { Flow } from '../record.js';
import { fastTimeMs, MethodRunner } from './engine.js';
import { METHODS } from './registry.js';
import { FLOW_FIELDS, FlowDecoder, FlowEncoder } from './transport.js';

const STORY = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'testdata', 'detect', 'story.ndjson');

function lines(): string[] {
  const own = [
    '{"kind":"flow","start":"2026-11-27T10:00:00.000Z","end":"2026-11-27T10:00:01.000Z","proto":"tcp","src":"10.0.0.1","dst":"10.0.0.2","sport":-0,"dport":22,"pkts":3,"bytes":180,"rpkts":0,"flags":"S","state":"S0","smac":"02:00:00:00:00:01","id":"x1","vlan":7}',
    '{"kind":"flow","start":"2026-11-27T10:00:00.500Z","end":"2026-11-27T10:00:00.400Z","proto":"udp","src":"10.0.0.1","dst":"10.0.0.3","pkts":1,"bytes":1e3,"app":"dns"}',
    '{"kind":"flow","start":"2026-11-27T10:00:02.000Z","end":"x","proto":"icmp","src":"fe80::1","dst":"ff02::1","icmp_type":135,"pkts":1,"bytes":72,"smac":5}',
    '{"kind":"flow","start":"2026-11-27T10:00:03.000Z","end":"2026-11-27T10:00:03.000Z","proto":"arp","src":"10.0.0.9","dst":"10.0.0.1","pkts":1,"bytes":28,"arp":{"op":"request"}}',
  ];
  return [...own, ...readFileSync(STORY, 'utf8').trim().split('\n')];
}

describe('FlowEncoder / FlowDecoder', () => {
  it('gives the worker the values of every field the methods read, as JSON.parse does', () => {
    const want: { seq: number; t: number; tEnd: number; f: Record<string, unknown> }[] = [];
    const all = lines();
    all.forEach((l, seq) => {
      const f = JSON.parse(l) as Flow;
      const t = fastTimeMs(f.start);
      const e = fastTimeMs(f.end);
      want.push({ seq, t, tEnd: Number.isNaN(e) || e < t ? t : e, f });
    });
    let texts = 0;
    // in batches of five flows: the string table carries over from batch to batch
    const dec2 = new FlowDecoder();
    const got2: typeof want = [];
    const enc2 = new FlowEncoder();
    all.forEach((l, seq) => {
      enc2.add(JSON.parse(l) as Flow, seq, want[seq]!.t, want[seq]!.tEnd, l);
      if (seq % 5 === 4) {
        dec2.decode(
          enc2.take(),
          (f, s, t, tEnd) => got2.push({ seq: s, t, tEnd, f: f as unknown as Record<string, unknown> }),
          (rec, s) => {
            texts++;
            got2.push({ seq: s, t: want[s]!.t, tEnd: want[s]!.tEnd, f: rec });
          },
        );
      }
    });
    dec2.decode(enc2.take(), (f, s, t, tEnd) => got2.push({ seq: s, t, tEnd, f: f as unknown as Record<string, unknown> }), (rec, s) => {
      texts++;
      got2.push({ seq: s, t: want[s]!.t, tEnd: want[s]!.tEnd, f: rec });
    });
    expect(texts).toBeGreaterThan(0);
    expect(got2.map((g) => g.seq)).toEqual(want.map((w) => w.seq));
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      const g = got2[i]!;
      expect([g.t, g.tEnd]).toEqual([w.t, w.tEnd]);
      for (const k of FLOW_FIELDS) expect(Object.is(g.f[k], w.f[k]) || JSON.stringify(g.f[k]) === JSON.stringify(w.f[k]), `${i} ${k}`).toBe(true);
    }
  });

  it('starts the string table again past its size, between batches', () => {
    const enc = new FlowEncoder();
    const dec = new FlowDecoder();
    let n = 0;
    let bad = 0;
    let resets = 0;
    for (let b = 0; b < 8; b++) {
      for (let i = 0; i < 40000; i++, n++) enc.add({ kind: 'flow', proto: 'tcp', src: `s${n}`, dst: `d${n % 1000}`, pkts: 1, bytes: 1 } as unknown as Flow, n, 1, 2, '');
      const batch = enc.take();
      let k = n - 40000;
      dec.decode(batch, (f) => {
        if (f.src !== `s${k}` || f.dst !== `d${k % 1000}`) bad++;
        k++;
      }, () => bad++);
      if (batch.reset) resets++;
    }
    expect(n).toBe(320000);
    expect(resets).toBe(1);
    expect(bad).toBe(0);
  });

  it('the methods read no other field of a flow (and its times only as t and tEnd)', () => {
    const read = new Set<string>();
    const runner = new MethodRunner(
      METHODS,
      METHODS.map((_, i) => i),
      { local_nets: ['192.168.1.0/24'] },
      new CidrSet(['192.168.1.0/24']),
      () => {},
    );
    for (const l of lines()) {
      const f = JSON.parse(l) as Record<string, unknown>;
      const t = fastTimeMs(f.start);
      if (Number.isNaN(t) || typeof f.proto !== 'string') continue;
      const watched = new Proxy(f, {
        get(target, key) {
          if (typeof key === 'string') read.add(key);
          return target[key as string];
        },
      });
      runner.run(watched as Flow, t, Math.max(t, fastTimeMs(f.end) || t));
    }
    runner.finish();
    expect(read.size).toBeGreaterThan(10);
    const allowed = new Set<string>(FLOW_FIELDS);
    expect([...read].filter((k) => !allowed.has(k))).toEqual([]);
  });
});
