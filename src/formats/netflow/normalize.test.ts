import { describe, expect, it } from 'vitest';
import { communityId as packetCommunityId } from '../../packet/app/community-id.js';
import { blankFacts, communityId, flowJson, jsonString, makeFlow, type FlowFacts } from './normalize.js';
import { DateTimeReader, Fields, intAt, parseDateTime, TextSink } from './text.js';

// a small deterministic generator, so a failure can be replayed
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('flowJson', () => {
  it('writes exactly JSON.stringify(makeFlow(…)) for varied facts', () => {
    const r = rng(7);
    const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
    const maybe = <T>(v: T): T | undefined => (r() < 0.5 ? v : undefined);
    const addrs = ['10.0.0.1', '192.168.1.20', '2001:db8::1', 'fe80::2', 'not an address', 'a"b\\c\n', '\ud800x', 'é.1'];
    for (let i = 0; i < 3000; i++) {
      const f: FlowFacts = {
        startMs: Math.floor(r() * 2e12),
        endMs: Math.floor(r() * 2e12),
        proto: pick([1, 6, 17, 58, 47, 132, 6.5]),
        src: pick(addrs),
        dst: pick(addrs),
        sport: maybe(Math.floor(r() * 70000)),
        dport: maybe(pick([22, 53, 80, 443, 9, 10, Math.floor(r() * 65536)])),
        icmpType: maybe(pick([0, 8, 9, 10, 128, 139, 3])),
        icmpCode: maybe(Math.floor(r() * 4)),
        pkts: pick([0, 1, 1e21, NaN, 2.5, Math.floor(r() * 1e6)]),
        bytes: Math.floor(r() * 1e9),
        rpkts: maybe(Math.floor(r() * 10)),
        rbytes: maybe(Math.floor(r() * 1e4)),
        flags: maybe(Math.floor(r() * 256)),
        rflags: maybe(Math.floor(r() * 256)),
        state: maybe(pick(['SF', 'S0', 'x"y'])),
        smac: maybe('00:11:22:33:44:55'),
        dmac: maybe('66:77:88:99:aa:bb'),
        vlan: maybe(Math.floor(r() * 4096)),
        app: maybe(pick(['dns', '', 'tab\there'])),
        dns: maybe({ qname: 'example.com', answers: ['1.2.3.4'] }),
        dhcp: maybe({ msg: 'ACK', hostname: 'h\u0001' }),
      };
      for (const k of Object.keys(f) as (keyof FlowFacts)[]) if (f[k] === undefined) delete f[k];
      const origin = pick(['f.csv:12', 'dir "x"/f:3', 'stdin:1']);
      const override = pick([undefined, '1:abc=', 'q"']);
      const tail = pick(['', ',"argus_state":"CON"']);
      const want = makeFlow(f, origin, origin, '0123456789abcdef') as unknown as Record<string, unknown>;
      if (override !== undefined) want.community_id = override;
      const text = JSON.stringify(want);
      const expected = tail ? text.slice(0, -1) + tail + '}' : text;
      expect(flowJson(f, JSON.stringify(origin), '0123456789abcdef', override, tail)).toBe(expected);
    }
  });

  it('escapes strings as JSON.stringify does', () => {
    for (const s of ['', 'plain', 'q"', 'b\\', 'nl\n', '\u0000', '\ud83d\ude00', '\udc00', 'é']) expect(jsonString(s)).toBe(JSON.stringify(s));
  });

  it('blankFacts gives the same record as facts without the optional fields', () => {
    const f = blankFacts();
    Object.assign(f, { startMs: 1e12, endMs: 1e12 + 5, proto: 6, src: '10.0.0.1', dst: '10.0.0.2', pkts: 1, bytes: 40 });
    expect(JSON.stringify(makeFlow(f, 'o', 'o'))).toBe(JSON.stringify(makeFlow({ startMs: 1e12, endMs: 1e12 + 5, proto: 6, src: '10.0.0.1', dst: '10.0.0.2', pkts: 1, bytes: 40 }, 'o', 'o')));
  });
});

describe('communityId of address text', () => {
  const bytes = (s: string) => (s.includes(':') ? Uint8Array.from(s.split(':').flatMap((g) => [parseInt(g.padStart(4, '0').slice(0, 2), 16), parseInt(g.padStart(4, '0').slice(2), 16)])) : Uint8Array.from(s.split('.').map(Number)));
  it('is the shared implementation, cached tuples included', () => {
    for (let k = 0; k < 2; k++) {
      expect(communityId(6, '10.0.0.1', '10.0.0.2', 1234, 80)).toBe(packetCommunityId(6, bytes('10.0.0.1'), bytes('10.0.0.2'), 1234, 80));
      expect(communityId(17, '10.0.0.2', '10.0.0.1', 53, 999)).toBe(packetCommunityId(17, bytes('10.0.0.2'), bytes('10.0.0.1'), 53, 999));
      expect(communityId(1, '10.0.0.1', '10.0.0.2', 9, 0)).toBe(packetCommunityId(1, bytes('10.0.0.1'), bytes('10.0.0.2'), 9, 0));
      expect(communityId(58, '2001:db8:0:0:0:0:0:1', '2001:db8:0:0:0:0:0:2', 139, 0)).toBe(packetCommunityId(58, bytes('2001:db8:0:0:0:0:0:1'), bytes('2001:db8:0:0:0:0:0:2'), 139, 0));
    }
    // a tuple that differs only in the protocol is not taken from the cache
    expect(communityId(17, '10.0.0.1', '10.0.0.2', 1234, 80)).not.toBe(communityId(6, '10.0.0.1', '10.0.0.2', 1234, 80));
    expect(communityId(6, '10.0.0.1', '::1', 1, 2)).toBeUndefined();
  });
  it('gives both directions of a port protocol the same ID from one cache slot, but not ICMP', () => {
    for (const [p, a, b, x, y] of [[6, '10.0.0.9', '10.0.0.3', 443, 51000], [17, '10.0.0.3', '10.0.0.3', 53, 53], [132, '192.168.1.1', '10.1.1.1', 7, 9]] as const) {
      const want = packetCommunityId(p, bytes(a), bytes(b), x, y);
      expect(communityId(p, a, b, x, y)).toBe(want);
      expect(communityId(p, b, a, y, x)).toBe(want);
      expect(communityId(p, a, b, x, y)).toBe(want);
    }
    expect(communityId(1, '10.0.0.2', '10.0.0.1', 3, 1)).toBe(packetCommunityId(1, bytes('10.0.0.2'), bytes('10.0.0.1'), 3, 1));
    expect(communityId(1, '10.0.0.1', '10.0.0.2', 1, 3)).toBe(packetCommunityId(1, bytes('10.0.0.1'), bytes('10.0.0.2'), 1, 3));
  });
});

describe('text helpers', () => {
  it('DateTimeReader agrees with parseDateTime', () => {
    const t = new DateTimeReader();
    const cases = ['2023-11-14 22:13:20', '2023-11-14 22:13:20.5', '2023-11-14 22:13:59.999', '2023-11-14 22:13:60', '2023-11-14 22:13:61', '2023-11-14 22:14:00.123456',
      '2023-11-14T22:14:00.123456+0100', '2023-11-14T22:14:00Z', '2023-11-14T22:14:00.5Z', '2023-11-14T22:14:00.5z', '2023-11-14T22:14:00.25-05:30', '2023-11-14T22:14:00.25+0:000',
      '2023-11-14T22:14:00.25+05:3', '2023-11-14T22:14:00.25+ab:cd', '2023-11-14T22:14:00.25Zx', '2023-11-14T22:14:00.25+123456', '2023-11-14T22:14:00.000000+0000', '2023-11-14 22:14:0x', '2023-11-14 22:14:00.', '2023/11/14 22:14:01,25', '2023-11-14 22:14', 'garbage and more text', '0050-01-01 00:00:01'];
    for (const s of cases) {
      const a = parseDateTime(s);
      const b = t.of(s);
      expect(Number.isNaN(b) ? 'NaN' : b, s).toBe(Number.isNaN(a) ? 'NaN' : a);
      const line = `x,${s},y`;
      const c = t.at(line, 2, 2 + s.length);
      expect(Number.isNaN(c) ? 'NaN' : c, s).toBe(Number.isNaN(a) ? 'NaN' : a);
    }
  });

  it('Fields reads integers and compares fields in place', () => {
    const f = new Fields(44).set('12,,TCP,x7,99999999999999999');
    expect(f.int(0)).toBe(12);
    expect(f.int(1)).toBe(-1);
    expect(f.int(3)).toBe(-1);
    expect(f.int(4)).toBe(-1);
    expect(f.int(9)).toBe(-1);
    expect(f.is(2, 'TCP')).toBe(true);
    expect(f.is(2, 'TC')).toBe(false);
    expect(intAt('a123b', 1, 4)).toBe(123);
  });

  it('TextSink writes numbers and strings as JSON.stringify does', () => {
    const s = new TextSink();
    const nums = [0, 9, 10, 99, 100, 65535, 999999999999999, 1e15, 2 ** 53, 1e21, -1, -0, 0.1, 1.5e-7, NaN, Infinity, -Infinity];
    for (const v of nums) {
      s.num(v);
      expect(s.take()).toBe(JSON.stringify(v));
    }
    for (const v of ['', 'a', 'q"', 'b\\', '\u007f', 'é', '\ud800', 'x\ty']) {
      s.json(v);
      expect(s.take()).toBe(JSON.stringify(v));
    }
  });

  it('TextSink gives back the lines, non-ASCII text too, and grows', () => {
    const s = new TextSink();
    expect(s.empty).toBe(true);
    const long = 'é€😀'.repeat(400_000);
    s.line('{"a":1}');
    s.line(long);
    expect(s.take()).toBe('{"a":1}\n' + long + '\n');
    expect(s.empty).toBe(true);
  });
});
