// Community ID v1 (https://github.com/corelight/community-id-spec): a flow hash shared with
// Zeek, Suricata and Elastic, so a fir flow joins their records of the same connection.
import * as nodeCrypto from 'node:crypto';

// The hashed input is at most 40 bytes: one SHA-1 block. It is hashed here (FIPS 180-4) over a
// reused word array, without a call into OpenSSL or an allocation besides the result string:
// about a quarter of the time of crypto.hash per flow. Longer input (never made by this module's
// callers) goes to node:crypto.
const W = new Int32Array(80);
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** base64 of every 12-bit value: two characters */
const B64_PAIR: string[] = Array.from({ length: 4096 }, (_, i) => B64[i >>> 6] + B64[i & 63]);

/** SHA-1 state after the last sha1Block */
const H = new Int32Array(5);

/** SHA-1 of data[0, n) (n ≤ 55: one padded block) into H. */
function sha1Block(data: Uint8Array, n: number): void {
  // the padded block: message, 0x80, zeros, bit length (big-endian) in the last word
  for (let i = 0; i < 16; i++) W[i] = 0;
  for (let i = 0; i < n; i++) W[i >> 2] |= data[i] << (24 - ((i & 3) << 3));
  W[n >> 2] |= 0x80 << (24 - ((n & 3) << 3));
  W[15] = n << 3;
  for (let t = 16; t < 80; t++) {
    const x = W[t - 3] ^ W[t - 8] ^ W[t - 14] ^ W[t - 16];
    W[t] = (x << 1) | (x >>> 31);
  }
  let a = 0x67452301;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476;
  let e = 0xc3d2e1f0 | 0;
  // the four rounds of 20 as loops of their own: no test of t in the loop (a quarter faster)
  let t = 0;
  for (; t < 20; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + W[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 40; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 60; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + (0x8f1bbcdc | 0) + W[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 80; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + (0xca62c1d6 | 0) + W[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  H[0] = (a + 0x67452301) | 0;
  H[1] = (b + 0xefcdab89) | 0;
  H[2] = (c + 0x98badcfe) | 0;
  H[3] = (d + 0x10325476) | 0;
  H[4] = (e + 0xc3d2e1f0) | 0;
}

function sha1Base64(data: Uint8Array): string {
  const n = data.length;
  if (n > 55) return nodeCrypto.createHash('sha1').update(data).digest('base64');
  sha1Block(data, n);
  const h0 = H[0];
  const h1 = H[1];
  const h2 = H[2];
  const h3 = H[3];
  const h4 = H[4];
  // 20 bytes = 160 bits: 13 groups of 12 bits, 4 bits left (one character and '=')
  return (
    B64_PAIR[h0 >>> 20] + B64_PAIR[(h0 >>> 8) & 0xfff] + B64_PAIR[((h0 & 0xff) << 4) | (h1 >>> 28)] +
    B64_PAIR[(h1 >>> 16) & 0xfff] + B64_PAIR[(h1 >>> 4) & 0xfff] + B64_PAIR[((h1 & 0xf) << 8) | (h2 >>> 24)] +
    B64_PAIR[(h2 >>> 12) & 0xfff] + B64_PAIR[h2 & 0xfff] +
    B64_PAIR[h3 >>> 20] + B64_PAIR[(h3 >>> 8) & 0xfff] + B64_PAIR[((h3 & 0xff) << 4) | (h4 >>> 28)] +
    B64_PAIR[(h4 >>> 16) & 0xfff] + B64_PAIR[(h4 >>> 4) & 0xfff] + B64[(h4 & 0xf) << 2] + '='
  );
}

const B64_CODE = Uint8Array.from(B64, (c) => c.charCodeAt(0));

/** Write the 12-bit value v as two base64 characters at out[o]; returns o + 2. */
function put12(out: Uint8Array, o: number, v: number): number {
  out[o] = B64_CODE[v >>> 6];
  out[o + 1] = B64_CODE[v & 63];
  return o + 2;
}

// ICMP types that have a counterpart (request/reply): such flows are two-way and ordered like
// ports; every other type is one-way and hashed as sent (type, code).
// (router solicitation 10 pairs with advertisement 9, but an IPv4 advertisement is one-way, as in Zeek)
const ICMP4_PAIR: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 17: 18, 18: 17 };
const ICMP6_PAIR: Record<number, number> = {
  128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130, 139: 140, 140: 139, 144: 145, 145: 144,
};
/** ICMP_PAIR[(ICMPv6 ? 256 : 0) + type]: the counterpart of an ICMP type, -1 for none */
const ICMP_PAIR = new Int16Array(512).fill(-1);
for (const [t, u] of Object.entries(ICMP4_PAIR)) ICMP_PAIR[Number(t)] = u;
for (const [t, u] of Object.entries(ICMP6_PAIR)) ICMP_PAIR[256 + Number(t)] = u;
/** CID_KIND[proto]: 0 hashes no ports, 1 ports (TCP, UDP, SCTP), 2 ICMP, 3 ICMPv6 */
const CID_KIND = new Uint8Array(256);
CID_KIND[6] = CID_KIND[17] = CID_KIND[132] = 1;
CID_KIND[1] = 2;
CID_KIND[58] = 3;

// One reused input buffer: seed(2) + two addresses(≤32) + proto(1) + pad(1) + ports(4).
const input = new Uint8Array(40);

/** -1, 0, 1: address a against b, byte by byte (shorter first when the families differ). */
function compareAddr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** portPair's results: the port-equivalents to hash, and whether an ICMP type has no counterpart */
let p1 = 0;
let p2 = 0;
let oneWay = false;

/**
 * The ports to hash (p1, p2) before ordering, and oneWay; returns whether the protocol hashes
 * ports. For ICMP the spec's request/reply table turns type and code into port-equivalents.
 */
function portPair(proto: number, sport: number, dport: number): boolean {
  p1 = sport & 0xffff;
  p2 = dport & 0xffff;
  // every test made for every protocol, ICMP's by table: code optimised on TCP and UDP flows is
  // then not thrown away at the first ICMP one (see the flow meter's PROTO_KIND)
  const kind = proto >= 0 && proto < 256 ? CID_KIND[proto] : 0;
  const icmp = kind >= 2;
  // the counterpart of type p1 (-1 for none, and for a type of 256 or more), looked up for all
  const pair = ICMP_PAIR[(kind === 3 ? 256 : 0) + (p1 & 255)] | (p1 < 256 ? 0 : -1);
  const none = pair < 0;
  oneWay = icmp && none;
  if (icmp && !none) p2 = pair;
  return kind !== 0;
}

function swapPorts(): void {
  const t = p1;
  p1 = p2;
  p2 = t;
}

/** The hashed input after the addresses: protocol, a zero byte, and the ordered ports. */
function putTail(buf: Uint8Array, n: number, proto: number, hasPorts: boolean): number {
  buf[n++] = proto & 0xff;
  buf[n++] = 0;
  if (hasPorts) {
    buf[n++] = p1 >>> 8;
    buf[n++] = p1 & 0xff;
    buf[n++] = p2 >>> 8;
    buf[n++] = p2 & 0xff;
  }
  return n;
}

/**
 * Community ID v1 of a flow: `1:` + base64(SHA-1(seed, ordered addresses, proto, 0, ports)).
 * src/dst are the raw 4- or 16-byte addresses. For ICMP (1) and ICMPv6 (58) pass the type as
 * sport and the code as dport; the spec's request/reply table turns them into port-equivalents.
 * Ports are hashed for TCP, UDP, SCTP, ICMP and ICMPv6 only.
 */
export function communityId(proto: number, src: Uint8Array, dst: Uint8Array, sport: number, dport: number, seed = 0): string {
  const hasPorts = portPair(proto, sport, dport);
  let a = src;
  let b = dst;
  if (!oneWay) {
    const c = compareAddr(src, dst);
    if (c > 0 || (c === 0 && hasPorts && p1 > p2)) {
      a = dst;
      b = src;
      swapPorts();
    }
  }
  // addresses are 4 or 16 bytes; anything longer gets its own buffer rather than overflowing
  const buf = a.length + b.length <= 32 ? input : new Uint8Array(a.length + b.length + 8);
  let n = 0;
  buf[n++] = (seed >>> 8) & 0xff;
  buf[n++] = seed & 0xff;
  buf.set(a, n);
  n += a.length;
  buf.set(b, n);
  n += b.length;
  n = putTail(buf, n, proto, hasPorts);
  return '1:' + sha1Base64(buf.subarray(0, n));
}

/** Four bytes of the big-endian word w at o. */
function putWordBE(out: Uint8Array, o: number, w: number): number {
  out[o] = w >>> 24;
  out[o + 1] = (w >>> 16) & 255;
  out[o + 2] = (w >>> 8) & 255;
  out[o + 3] = w & 255;
  return o + 4;
}

/** -1, 0, 1: unsigned 32-bit words */
function cmpWord(x: number, y: number): number {
  x >>>= 0;
  y >>>= 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * communityId() of an IPv4 or IPv6 flow whose addresses are given as big-endian 32-bit words
 * (a0 the first word of the source; a1..a3 and b1..b3 unused for IPv4), written as ASCII into
 * out at o (29 bytes: "1:" and 28 base64 characters); returns the offset after it. The flow
 * meter's path: no address arrays, no string.
 */
export function putCommunityId(
  out: Uint8Array, o: number, proto: number, v6: boolean,
  a0: number, a1: number, a2: number, a3: number, b0: number, b1: number, b2: number, b3: number,
  sport: number, dport: number, seed = 0,
): number {
  const hasPorts = portPair(proto, sport, dport);
  let swap = false;
  if (!oneWay) {
    let c = cmpWord(a0, b0);
    if (v6 && c === 0) c = cmpWord(a1, b1) || cmpWord(a2, b2) || cmpWord(a3, b3);
    swap = c > 0 || (c === 0 && hasPorts && p1 > p2);
  }
  const buf = input;
  let n = 0;
  buf[n++] = (seed >>> 8) & 0xff;
  buf[n++] = seed & 0xff;
  if (swap) {
    n = putWordBE(buf, n, b0);
    if (v6) {
      n = putWordBE(buf, n, b1);
      n = putWordBE(buf, n, b2);
      n = putWordBE(buf, n, b3);
    }
    n = putWordBE(buf, n, a0);
    if (v6) {
      n = putWordBE(buf, n, a1);
      n = putWordBE(buf, n, a2);
      n = putWordBE(buf, n, a3);
    }
    swapPorts();
  } else {
    n = putWordBE(buf, n, a0);
    if (v6) {
      n = putWordBE(buf, n, a1);
      n = putWordBE(buf, n, a2);
      n = putWordBE(buf, n, a3);
    }
    n = putWordBE(buf, n, b0);
    if (v6) {
      n = putWordBE(buf, n, b1);
      n = putWordBE(buf, n, b2);
      n = putWordBE(buf, n, b3);
    }
  }
  n = putTail(buf, n, proto, hasPorts);
  sha1Block(buf, n);
  const h0 = H[0];
  const h1 = H[1];
  const h2 = H[2];
  const h3 = H[3];
  const h4 = H[4];
  out[o++] = 0x31; // 1
  out[o++] = 0x3a; // :
  o = put12(out, o, h0 >>> 20);
  o = put12(out, o, (h0 >>> 8) & 0xfff);
  o = put12(out, o, ((h0 & 0xff) << 4) | (h1 >>> 28));
  o = put12(out, o, (h1 >>> 16) & 0xfff);
  o = put12(out, o, (h1 >>> 4) & 0xfff);
  o = put12(out, o, ((h1 & 0xf) << 8) | (h2 >>> 24));
  o = put12(out, o, (h2 >>> 12) & 0xfff);
  o = put12(out, o, h2 & 0xfff);
  o = put12(out, o, h3 >>> 20);
  o = put12(out, o, (h3 >>> 8) & 0xfff);
  o = put12(out, o, ((h3 & 0xff) << 4) | (h4 >>> 28));
  o = put12(out, o, (h4 >>> 16) & 0xfff);
  o = put12(out, o, (h4 >>> 4) & 0xfff);
  out[o++] = B64_CODE[(h4 & 0xf) << 2];
  out[o++] = 0x3d; // =
  return o;
}
