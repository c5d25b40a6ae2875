// TLS record and handshake recognition (RFC 8446 §5, §4.1), with the server name of a
// ClientHello (RFC 6066 §3). Reads only what the first segment holds; never reassembles.
import { hostText, u16 } from './text.js';

/** Longest TLS record allowed (2^14 plaintext plus the largest expansion). */
const MAX_RECORD = 16384 + 2048;

export interface TlsHello {
  /** 1 ClientHello, 2 ServerHello, 0 another record type (a flow caught mid-connection) */
  hello: number;
  sni?: string;
}

/** The TLS record at buf[o..end): undefined when the bytes are not a TLS (or SSLv2 hello) record. */
export function sniffTls(buf: Uint8Array, o: number, end: number): TlsHello | undefined {
  if (end - o < 6) return undefined;
  const type = buf[o];
  if (type >= 20 && type <= 23 && buf[o + 1] === 3 && buf[o + 2] <= 4) {
    const rlen = u16(buf, o + 3);
    if (rlen === 0 || rlen > MAX_RECORD) return undefined;
    if (type !== 22) return type === 23 && rlen < 17 ? undefined : { hello: 0 };
    const h = o + 5;
    const htype = buf[h];
    if (htype !== 1 && htype !== 2) return htype === 11 || htype === 12 || htype === 14 || htype === 16 ? { hello: 0 } : undefined;
    if (end - h < 6 || buf[h + 4] !== 3 || buf[h + 5] > 4) return undefined;
    if (htype === 2) return { hello: 2 };
    const hlen = (buf[h + 1] << 16) | (buf[h + 2] << 8) | buf[h + 3];
    const stop = Math.min(end, o + 5 + rlen, h + 4 + hlen);
    const sni = serverName(buf, h + 4, stop);
    return sni === undefined ? { hello: 1 } : { hello: 1, sni };
  }
  // SSLv2-framed ClientHello (old clients and scanners): 2-byte length with the top bit, type 1, version 2.0/3.x
  if ((type & 0x80) !== 0 && buf[o + 2] === 1 && (buf[o + 3] === 3 || (buf[o + 3] === 0 && buf[o + 4] === 2)) && buf[o + 4] <= 4) {
    const rlen = ((type & 0x7f) << 8) | buf[o + 1];
    return rlen >= 9 ? { hello: 1 } : undefined;
  }
  return undefined;
}

/** The server_name extension's host name in the ClientHello body at buf[p..end). */
export function serverName(buf: Uint8Array, p: number, end: number): string | undefined {
  p += 2 + 32; // client_version, random
  if (p >= end) return undefined;
  p += 1 + buf[p]; // session id
  if (p + 2 > end) return undefined;
  p += 2 + u16(buf, p); // cipher suites
  if (p >= end) return undefined;
  p += 1 + buf[p]; // compression methods
  if (p + 2 > end) return undefined;
  const extEnd = Math.min(end, p + 2 + u16(buf, p));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = u16(buf, p);
    const len = u16(buf, p + 2);
    const d = p + 4;
    if (d + len > extEnd) return undefined;
    if (type === 0) {
      // server_name_list: list length, then (name_type, length, name); type 0 is host_name
      let q = d + 2;
      const listEnd = Math.min(d + len, d + 2 + (len >= 2 ? u16(buf, d) : 0));
      while (q + 3 <= listEnd) {
        const nlen = u16(buf, q + 1);
        if (q + 3 + nlen > listEnd) return undefined;
        if (buf[q] === 0 && nlen > 0) return hostText(buf, q + 3, q + 3 + Math.min(nlen, 255));
        q += 3 + nlen;
      }
      return undefined;
    }
    p = d + len;
  }
  return undefined;
}
