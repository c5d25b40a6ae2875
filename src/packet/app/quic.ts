// QUIC Initial packets (RFC 9000 §17.2.2): their protection uses keys derived from the
// destination connection id alone (RFC 9001 §5.2, RFC 9369 for v2), so the ClientHello inside,
// and its server name, can be read without any secret. Only what one datagram holds is read.
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { serverName } from './tls.js';

interface Version {
  salt: Buffer;
  /** label prefix: "quic " (v1, drafts) or "quicv2 " */
  prefix: string;
  /** long-header packet type of Initial */
  initialType: number;
}
const V1: Version = { salt: Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex'), prefix: 'quic ', initialType: 0 };
const V2: Version = { salt: Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex'), prefix: 'quicv2 ', initialType: 1 };
const DRAFT29: Version = { salt: Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex'), prefix: 'quic ', initialType: 0 };

function versionOf(v: number): Version | undefined {
  if (v === 1) return V1;
  if (v === 0x6b3343cf) return V2;
  if (v >= 0xff00001d && v <= 0xff000020) return DRAFT29;
  return undefined;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) for outputs of at most one SHA-256 block. */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from('tls13 ' + label, 'latin1');
  const info = Buffer.alloc(4 + full.length + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = 0; // empty context
  info[4 + full.length] = 1; // HKDF-Expand's block counter
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

/** A QUIC variable-length integer at b[p]: value, and where it ends (in varEnd); -1 when cut. */
let varEnd = 0;
function varint(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const n = 1 << (b[p] >> 6);
  if (p + n > end) return -1;
  let v = b[p] & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + b[p + i];
  varEnd = p + n;
  return v;
}

const MAX_CRYPTO = 8192;
const helloBuf = Buffer.alloc(MAX_CRYPTO);

/**
 * The server name of the ClientHello in a client's QUIC Initial packet at b[o..end), or
 * undefined (not an Initial, a version without public keys, failed authentication, or a
 * ClientHello whose server_name extension lies in a later datagram).
 */
export function quicInitialSni(b: Uint8Array, o: number, end: number): string | undefined {
  if (end - o < 64 || (b[o] & 0xc0) !== 0xc0) return undefined;
  const version = ((b[o + 1] << 24) | (b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4]) >>> 0;
  const ver = versionOf(version);
  if (!ver || ((b[o] >> 4) & 3) !== ver.initialType) return undefined;
  let p = o + 5;
  const dcidLen = b[p];
  if (dcidLen > 20 || p + 1 + dcidLen >= end) return undefined;
  const dcid = b.subarray(p + 1, p + 1 + dcidLen);
  p += 1 + dcidLen;
  const scidLen = b[p];
  if (scidLen > 20) return undefined;
  p += 1 + scidLen;
  const tokenLen = varint(b, p, end);
  if (tokenLen < 0 || varEnd + tokenLen > end) return undefined;
  p = varEnd + tokenLen;
  const length = varint(b, p, end);
  if (length < 20 || varEnd + length > end) return undefined;
  const pnOff = varEnd;
  const pktEnd = pnOff + length;

  const initial = createHmac('sha256', ver.salt).update(dcid).digest();
  const client = expandLabel(initial, 'client in', 32);
  const key = expandLabel(client, ver.prefix + 'key', 16);
  const iv = expandLabel(client, ver.prefix + 'iv', 12);
  const hp = expandLabel(client, ver.prefix + 'hp', 16);

  // header protection: a mask from AES-ECB over the 16 bytes 4 past the packet number's start
  const ecb = createCipheriv('aes-128-ecb', hp, null);
  const mask = ecb.update(b.subarray(pnOff + 4, pnOff + 20));
  const first = b[o] ^ (mask[0] & 0x0f);
  const pnLen = (first & 3) + 1;
  const header = Buffer.from(b.subarray(o, pnOff + pnLen));
  header[0] = first;
  let pn = 0;
  for (let i = 0; i < pnLen; i++) {
    header[pnOff - o + i] ^= mask[1 + i];
    pn = pn * 256 + header[pnOff - o + i];
  }
  const nonce = Buffer.from(iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
  const ctEnd = pktEnd - 16;
  if (ctEnd <= pnOff + pnLen) return undefined;
  let plain: Buffer;
  try {
    const gcm = createDecipheriv('aes-128-gcm', key, nonce);
    gcm.setAAD(header);
    gcm.setAuthTag(b.subarray(ctEnd, pktEnd));
    plain = Buffer.concat([gcm.update(b.subarray(pnOff + pnLen, ctEnd)), gcm.final()]);
  } catch {
    return undefined; // not the client's Initial (or damaged): authentication failed
  }
  return cryptoSni(plain);
}

/** Reassemble the CRYPTO frames of a decrypted Initial from offset 0 and read the ClientHello. */
function cryptoSni(f: Buffer): string | undefined {
  const parts: Array<[number, number, number]> = []; // stream offset, start, end in f
  let p = 0;
  const end = f.length;
  while (p < end) {
    const type = f[p];
    if (type === 0x00 || type === 0x01) {
      p++; // PADDING, PING
    } else if (type === 0x06) {
      const off = varint(f, p + 1, end);
      if (off < 0) break;
      const len = varint(f, varEnd, end);
      if (len < 0 || varEnd + len > end) break;
      if (off + len <= MAX_CRYPTO && parts.length < 64) parts.push([off, varEnd, varEnd + len]);
      p = varEnd + len;
    } else break; // ACK, CONNECTION_CLOSE…: nothing more the ClientHello needs
  }
  parts.sort((a, c) => a[0] - c[0]);
  const hello = helloBuf; // reused: only bytes below `have` are ever read
  let have = 0;
  for (const [off, s, e] of parts) {
    if (off > have) break; // a gap: the rest is in another datagram
    if (off + (e - s) > have) {
      f.copy(hello, off, s, e);
      have = off + (e - s);
    }
  }
  if (have < 4 || hello[0] !== 1) return undefined;
  const hlen = (hello[1] << 16) | (hello[2] << 8) | hello[3];
  return serverName(hello, 4, Math.min(have, 4 + hlen));
}
