// Random mutations of valid messages fed to every decoder: nothing throws, every call returns,
// and no string that comes out holds a control or non-ASCII character. Fixed seed, bounded work.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  arp, be16, bytes, clientHello, dhcpAck, dhcpDiscover, dhcpOffer, dnsNx, dnsQuery, dnsResponse, dnsTxtNull, MAC,
} from '../../../testdata/app/packets.js';
import { decodeArp } from './arp.js';
import { decodeDhcp4, decodeDhcp6 } from './dhcp.js';
import { decodeDns } from './dns.js';
import { mergeApp, recognise, type AppInfo, type PayloadContext } from './index.js';
import { sniffTls } from './tls.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xff];

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  let b = src.slice();
  const n = 1 + Math.floor(rnd() * 6);
  for (let k = 0; k < n; k++) {
    const r = rnd();
    const i = Math.floor(rnd() * Math.max(1, b.length));
    if (r < 0.35 && b.length) b[i] ^= 1 << Math.floor(rnd() * 8);
    else if (r < 0.6 && b.length) b[i] = INTERESTING[Math.floor(rnd() * INTERESTING.length)];
    else if (r < 0.7 && b.length) b[i] = Math.floor(rnd() * 256);
    else if (r < 0.8) b = b.slice(0, i); // truncate
    else if (r < 0.9) {
      const extra = new Uint8Array(1 + Math.floor(rnd() * 32)).map(() => Math.floor(rnd() * 256));
      b = bytes(b.subarray(0, i), extra, b.subarray(i));
    } else if (b.length > 2) {
      // a compression pointer to a random offset
      b[i] = 0xc0 | Math.floor(rnd() * 4);
      if (i + 1 < b.length) b[i + 1] = Math.floor(rnd() * 256);
    }
  }
  return b;
}

const CONTROL = /[\x00-\x1f\x7f-\uffff]/;
function checkStrings(v: unknown, path = ''): void {
  if (typeof v === 'string') {
    if (CONTROL.test(v)) throw new Error(`control or non-ASCII character in ${path}: ${JSON.stringify(v)}`);
  } else if (Array.isArray(v)) v.forEach((x, i) => checkStrings(x, `${path}[${i}]`));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) checkStrings(x, `${path}.${k}`);
}

const opt = (code: number, data: number[]): number[] => [...be16(code), ...be16(data.length), ...data];
const dhcp6 = bytes([7, 1, 2, 3], opt(1, [0, 3, 0, 1, ...MAC]), opt(3, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, ...opt(5, new Array<number>(24).fill(1))]), opt(23, new Array<number>(16).fill(2)), opt(39, [0, 1, 0x61, 0]));
const relay6 = bytes([12, 0], new Uint8Array(32), opt(9, [...dhcp6]));
const quicV1 = Buffer.from(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../testdata/app/curl-8.1.2-dev-http3-www-google-de.initial.hex'), 'utf8').trim(), 'hex');
const SEEDS: Array<[string, Uint8Array, Partial<PayloadContext>]> = [
  ['quic', quicV1, { proto: 'udp', dport: 443 }],
  ['dns query', dnsQuery, { proto: 'udp', dport: 53 }],
  ['dns response', dnsResponse, { proto: 'udp', sport: 53 }],
  ['dns nx', dnsNx, { proto: 'udp', sport: 5353 }],
  ['dns txt/null', dnsTxtNull, { proto: 'udp', sport: 9999 }],
  ['dns tcp', bytes(be16(dnsResponse.length), dnsResponse), { proto: 'tcp', sport: 53 }],
  ['dhcp discover', dhcpDiscover, { proto: 'udp', dport: 67 }],
  ['dhcp offer', dhcpOffer, { proto: 'udp', sport: 67 }],
  ['dhcp ack', dhcpAck, { proto: 'udp', sport: 67 }],
  ['dhcp6', dhcp6, { proto: 'udp', sport: 547 }],
  ['dhcp6 relay', relay6, { proto: 'udp', dport: 547 }],
  ['tls', clientHello('www.example.org'), { proto: 'tcp', dport: 443 }],
  ['ssh', bytes('SSH-2.0-OpenSSH_9.6\r\n'), { proto: 'tcp', dport: 22 }],
  ['smb', bytes([0, 0, 0, 0x40, 0xfe, 0x53, 0x4d, 0x42], new Uint8Array(60)), { proto: 'tcp', dport: 445 }],
  ['rdp', bytes([3, 0, 0, 19, 14, 0xe0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 3, 0, 0, 0]), { proto: 'tcp', dport: 3389 }],
  ['mysql', bytes([74, 0, 0, 0, 10], '8.0.36\0', new Uint8Array(66)), { proto: 'tcp', sport: 3306 }],
  ['sctp', bytes([3, 0, 0, 16], new Uint8Array(12), [0, 3, 0, 33, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], 'GET / HTTP/1.1\r\n', [0, 0, 0]), { proto: 'sctp', dport: 9999 }],
  ['arp', arp(1, MAC, [10, 0, 0, 1], MAC, [10, 0, 0, 1]), { proto: 'udp', dport: 9999 }],
];
const PORTS = [53, 137, 67, 68, 123, 443, 445, 546, 547, 3389, 5353, 9999];

describe('fuzz: mutated messages into the application decoders', () => {
  it('never throws, always returns, never lets a control character out', () => {
    const rnd = mulberry32(0xf1e2d3c4);
    const ITER = 2500;
    let recognised = 0;
    for (const [name, seed, over] of SEEDS) {
      let merged: AppInfo | undefined;
      // the QUIC seed decrypts (HMAC, AES) on every call: fewer rounds keep the test quick
      const rounds = name === 'quic' ? ITER / 10 : ITER;
      for (let it = 0; it < rounds; it++) {
        const m = mutate(seed, rnd);
        // a payload inside a larger buffer, with offsets and lengths that may lie
        const pad = Math.floor(rnd() * 4);
        const buf = bytes(new Uint8Array(pad).fill(0xc0), m);
        const lenLie = rnd() < 0.1 ? Math.floor(rnd() * 2000) - 100 : m.length;
        const ctx: PayloadContext = {
          proto: 'udp', sport: 40000, dport: 40001, fromOriginator: rnd() < 0.5, payload: buf, off: pad, len: lenLie, flowPkts: 1, ...over,
        };
        try {
          const a = recognise(ctx);
          const b = recognise({ ...ctx, proto: (['tcp', 'udp', 'sctp'] as const)[Math.floor(rnd() * 3)], dport: PORTS[Math.floor(rnd() * PORTS.length)] });
          for (const x of [a, b]) {
            if (!x) continue;
            recognised++;
            checkStrings(x, name);
            merged = mergeApp(merged, x);
          }
          checkStrings(decodeDns(buf, pad, buf.length, false, (['dns', 'mdns', 'nbns'] as const)[Math.floor(rnd() * 3)]), name);
          checkStrings(decodeDns(buf, pad, buf.length, true), name);
          checkStrings(decodeDhcp4(buf, pad, buf.length), name);
          checkStrings(decodeDhcp6(buf, pad, buf.length), name);
          checkStrings(sniffTls(buf, pad, buf.length), name);
          checkStrings(decodeArp(buf, pad, Math.min(lenLie, buf.length - pad)), name);
          checkStrings(decodeArp(buf, pad, lenLie), name);
        } catch (e) {
          throw new Error(`${name} iteration ${it}: ${(e as Error).message}\nbytes ${Buffer.from(buf).toString('hex')} off ${pad} len ${lenLie}`);
        }
      }
      checkStrings(merged, name);
      if (merged?.dns?.answers) expect(merged.dns.answers.length).toBeLessThanOrEqual(20);
      if (Array.isArray(merged?.dhcp?.msgs)) expect((merged.dhcp.msgs as string[]).length).toBeLessThanOrEqual(16);
    }
    // the mutations stay close enough to the seeds that most of them are still recognised
    expect(recognised).toBeGreaterThan((SEEDS.length - 1) * ITER * 0.3);
  });

  it('returns on pure noise of every length', () => {
    const rnd = mulberry32(42);
    for (let len = 0; len < 600; len++) {
      const b = new Uint8Array(len).map(() => Math.floor(rnd() * 256));
      for (const port of PORTS) {
        for (const proto of ['tcp', 'udp', 'sctp'] as const) {
          checkStrings(recognise({ proto, sport: 50000, dport: port, fromOriginator: true, payload: b, off: 0, len, flowPkts: 1 }));
        }
      }
      checkStrings(decodeArp(b, 0, len));
    }
  });
});
