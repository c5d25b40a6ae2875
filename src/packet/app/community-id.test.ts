import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../net.js';
import { communityId, putCommunityId } from './community-id.js';

function addrBytes(text: string): Uint8Array {
  const ip = parseIp(text);
  if (!ip) throw new Error(`bad address ${text}`);
  if (ip.version === 4) {
    const n = ip.value as number;
    return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  }
  const out = new Uint8Array(16);
  let v = ip.value as bigint;
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function cid(proto: number, s: string, d: string, sp: number, dp: number, seed = 0): string {
  return communityId(proto, addrBytes(s), addrBytes(d), sp, dp, seed);
}

// The reference values of the Community ID spec's baseline (corelight/community-id-spec,
// baseline/baseline_deflt.json and baseline_seed1.json); ICMP rows give type and code.
const BASELINE: Array<[number, string, string, number, number, string, string]> = [
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 136, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 136, 135, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 135, 136, '1:zavyT/cezQr1fmImYCwYnMXbgck=', '1:2hSqmsDZ2kdcY9kbiUzOEBic0iM='],
  [58, '3ffe:501:1800:2345::2', '3ffe:507:0:1:200:86ff:fe05:80da', 3, 0, '1:2ObVBgIn28oZvibYZhZMBgh7WdQ=', '1:lVEtCZpYu84Xqaa++3lXFyuu2n4='],
  [58, '3ffe:501:410:0:2c0:dfff:fe47:33e', '3ffe:507:0:1:200:86ff:fe05:80da', 1, 4, '1:hLZd0XGWojozrvxqE0dWB1iM6R0=', '1:W8MHwXpWzpoSTD+cGcaJr4u0ys8='],
  [58, '3ffe:507:0:1:200:86ff:fe05:80da', '3ffe:501:0:1001::2', 128, 0, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=', '1:GfZxjAkDk2MkegpBYHV6tadtFXQ='],
  [58, '3ffe:501:0:1001::2', '3ffe:507:0:1:200:86ff:fe05:80da', 129, 0, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=', '1:GfZxjAkDk2MkegpBYHV6tadtFXQ='],
  [58, 'fe80::200:86ff:fe05:80da', 'ff02::2', 133, 0, '1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=', '1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8='],
  [58, 'fe80::260:97ff:fe07:69ea', 'ff02::1', 134, 0, '1:pkvHqCL88/tg1k4cPigmZXUtL00=', '1:K/ee5UCqAMAQXDorP5nSa2CGLjc='],
  [1, '192.168.0.89', '192.168.0.1', 8, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [1, '192.168.0.1', '192.168.0.89', 0, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [1, '10.0.0.1', '10.0.0.2', 11, 0, '1:YHxtAirCG//0OzkcVAukqKQN9xM=', '1:XjUibYHaafLQ3pxQeiMI8g25q20='],
  [6, '2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 63943, 25, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [6, '2607:f8b0:400c:c03::1a', '2001:470:e5bf:dead:4957:2174:e82c:4887', 25, 63943, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [132, '192.168.170.8', '192.168.170.56', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg='],
  [132, '192.168.170.56', '192.168.170.8', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg='],
  [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [6, '66.35.250.204', '128.232.110.120', 80, 34855, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [17, '192.168.1.52', '8.8.8.8', 54585, 53, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [17, '8.8.8.8', '192.168.1.52', 53, 54585, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [46, '10.1.12.1', '10.1.12.2', 0, 0, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=', '1:rYir8gphR31noO9iDRQmF/BteEI='],
  [46, '10.1.12.2', '10.1.12.1', 0, 0, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=', '1:rYir8gphR31noO9iDRQmF/BteEI='],
];

describe('communityId', () => {
  it('matches the spec baseline, seed 0 and seed 1, both directions', () => {
    for (const [proto, s, d, sp, dp, want0, want1] of BASELINE) {
      expect(cid(proto, s, d, sp, dp), `${proto} ${s} ${d} ${sp} ${dp}`).toBe(want0);
      expect(cid(proto, s, d, sp, dp, 1), `${proto} ${s} ${d} ${sp} ${dp} seed 1`).toBe(want1);
    }
  });

  it('is the same for both directions of a two-way flow, different for a one-way ICMP', () => {
    expect(cid(17, '10.0.0.2', '10.0.0.1', 53, 4000)).toBe(cid(17, '10.0.0.1', '10.0.0.2', 4000, 53));
    expect(cid(6, '10.0.0.1', '10.0.0.1', 80, 4000)).toBe(cid(6, '10.0.0.1', '10.0.0.1', 4000, 80));
    expect(cid(1, '10.0.0.1', '10.0.0.2', 3, 3)).not.toBe(cid(1, '10.0.0.2', '10.0.0.1', 3, 3));
    // an IPv4 router advertisement (9) is one-way in the spec; a solicitation (10) pairs with it
    expect(cid(1, '10.0.0.2', '10.0.0.1', 9, 0)).not.toBe(cid(1, '10.0.0.1', '10.0.0.2', 9, 0));
    expect(cid(1, '10.0.0.2', '10.0.0.1', 10, 0)).toBe(cid(1, '10.0.0.1', '10.0.0.2', 9, 10));
  });

  it('putCommunityId writes the same ids from address words, as bytes', () => {
    const words = (a: Uint8Array): number[] => [0, 4, 8, 12].map((o) => (o < a.length ? (a[o] << 24) | (a[o + 1] << 16) | (a[o + 2] << 8) | a[o + 3] : 0));
    const put = (proto: number, s: string, d: string, sp: number, dp: number, seed: number): string => {
      const sa = addrBytes(s);
      const da = addrBytes(d);
      const [a0, a1, a2, a3] = words(sa);
      const [b0, b1, b2, b3] = words(da);
      const out = new Uint8Array(40).fill(0x2a);
      const end = putCommunityId(out, 3, proto, sa.length === 16, a0, a1, a2, a3, b0, b1, b2, b3, sp, dp, seed);
      expect(end).toBe(3 + 30);
      expect([...out.subarray(0, 3), ...out.subarray(end)].every((c) => c === 0x2a)).toBe(true); // nothing outside its bytes
      return new TextDecoder().decode(out.subarray(3, end));
    };
    const rows: Array<[number, string, string, number, number]> = [
      ...BASELINE.map(([proto, s, d, sp, dp]) => [proto, s, d, sp, dp] as [number, string, string, number, number]),
      [6, '10.0.0.1', '10.0.0.1', 80, 4000],
      [6, '255.0.0.1', '1.0.0.1', 80, 4000], // the high bit of an address word
      [17, 'fe80::1', 'fe80::1:0:0:0', 1, 2],
      [17, 'ffff::1', '::ffff', 9, 9],
      [1, '10.0.0.2', '10.0.0.1', 9, 0],
    ];
    for (const [proto, s, d, sp, dp] of rows) {
      for (const seed of [0, 1, 0x1234]) expect(put(proto, s, d, sp, dp, seed), `${proto} ${s} ${d} ${sp} ${dp} ${seed}`).toBe(cid(proto, s, d, sp, dp, seed));
    }
  });

  it('hashes addresses of any length without overflowing its buffer', () => {
    const long = new Uint8Array(40).fill(7);
    expect(communityId(6, long, long, 1, 2)).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
  });
});

// Zeek's btest baselines: "[orig_h=A, orig_p=N/tcp, resp_h=B, resp_p=M/tcp, proto=P, ctx=[]], 1:…"
const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '../../../../shared/corpus/zeek/community_id');
const LINE = /orig_h=([^,]+), orig_p=(\d+)\/\w+, resp_h=([^,]+), resp_p=(\d+)\/\w+, proto=(\d+).*?(1:[A-Za-z0-9+/=]+)\s*$/;

describe.skipIf(!existsSync(corpus))('communityId against the Zeek corpus', () => {
  it('agrees with every parseable line of community_id/*.out', () => {
    let checked = 0;
    for (const f of readdirSync(corpus).filter((n) => n.endsWith('.out'))) {
      for (const line of readFileSync(join(corpus, f), 'utf8').split('\n')) {
        const m = LINE.exec(line);
        if (!m) continue;
        const [, s, sp, d, dp, proto, want] = m;
        expect(cid(Number(proto), s, d, Number(sp), Number(dp)), `${f}: ${line}`).toBe(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
