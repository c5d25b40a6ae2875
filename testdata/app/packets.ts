// Hand-built application payloads for the tests of src/packet/app (unit and fuzz).

export function bytes(...parts: Array<number | number[] | Uint8Array | string>): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i) & 255);
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
export const be16 = (n: number): number[] => [(n >> 8) & 255, n & 255];
export const be32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** A name in wire form; labels are strings of byte values (latin-1). */
export function wireName(name: string): number[] {
  const out: number[] = [];
  if (name !== '.') {
    for (const label of name.split('.')) {
      out.push(label.length);
      for (let i = 0; i < label.length; i++) out.push(label.charCodeAt(i) & 255);
    }
  }
  out.push(0);
  return out;
}
export const ptr = (off: number): number[] => [0xc0 | (off >> 8), off & 255];

export function dnsHeader(id: number, flags: number, qd: number, an: number, ns = 0, ar = 0): number[] {
  return [...be16(id), ...be16(flags), ...be16(qd), ...be16(an), ...be16(ns), ...be16(ar)];
}
export function rr(name: number[], type: number, ttl: number, rdata: number[], cls = 1): number[] {
  return [...name, ...be16(type), ...be16(cls), ...be32(ttl), ...be16(rdata.length), ...rdata];
}

/** Query www.example.com A, id 0x1234, RD. */
export const dnsQuery = bytes(dnsHeader(0x1234, 0x0100, 1, 0), wireName('www.example.com'), be16(1), be16(1));

/** Its response: CNAME to web.example.com (compressed), then A and AAAA for that name. */
export const dnsResponse = bytes(
  dnsHeader(0x1234, 0x8180, 1, 3),
  wireName('www.example.com'), be16(1), be16(1), // question at offset 12; "example.com" at 16
  rr(ptr(12), 5, 300, [3, ...'web'.split('').map((c) => c.charCodeAt(0)), ...ptr(16)]),
  rr(ptr(12 + 17 + 4 + 12), 1, 60, [93, 184, 216, 34]), // the CNAME's target name
  rr(ptr(12 + 17 + 4 + 12), 28, 60, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
);

/** NXDOMAIN for a TXT query. */
export const dnsNx = bytes(dnsHeader(7, 0x8183, 1, 0), wireName('nope.example'), be16(16), be16(1));

/** A TXT answer with control characters, quotes and a backslash, plus a NULL record. */
export const dnsTxtNull = bytes(
  dnsHeader(9, 0x8580, 1, 2),
  wireName('t.example'), be16(16), be16(1),
  rr(ptr(12), 16, 5, [5, ...'a"b\\c'.split('').map((c) => c.charCodeAt(0)), 3, 0x07, 0x0a, 0x41]),
  rr(ptr(12), 10, 5, [0xde, 0xad, 0xbe, 0xef]),
);

export function dhcp4(op: number, msgType: number, xid: number, mac: number[], yiaddr: number[], options: number[]): Uint8Array {
  const b = new Uint8Array(240);
  b[0] = op;
  b[1] = 1;
  b[2] = 6;
  b.set(be32(xid), 4);
  b.set(yiaddr, 16);
  b.set(mac, 28);
  b.set([99, 130, 83, 99], 236);
  return bytes(b, [53, 1, msgType], options, 255);
}
export const MAC = [0x00, 0x0c, 0x29, 0x4f, 0x8e, 0x35];
export const dhcpDiscover = dhcp4(1, 1, 0xdeadbeef, MAC, [0, 0, 0, 0], [
  61, 7, 1, ...MAC, 12, 6, ...'laptop'.split('').map((c) => c.charCodeAt(0)), 55, 3, 1, 3, 6, 60, 4, ...'MSFT'.split('').map((c) => c.charCodeAt(0)),
]);
export const dhcpOffer = dhcp4(2, 2, 0xdeadbeef, MAC, [10, 0, 0, 50], [
  54, 4, 10, 0, 0, 1, 51, 4, ...be32(86400), 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 0, 1, 6, 8, 10, 0, 0, 1, 8, 8, 8, 8, 15, 3, ...'lan'.split('').map((c) => c.charCodeAt(0)),
]);
export const dhcpRequest = dhcp4(1, 3, 0xdeadbeef, MAC, [0, 0, 0, 0], [50, 4, 10, 0, 0, 50, 54, 4, 10, 0, 0, 1, 12, 6, ...'laptop'.split('').map((c) => c.charCodeAt(0))]);
export const dhcpAck = dhcp4(2, 5, 0xdeadbeef, MAC, [10, 0, 0, 50], [54, 4, 10, 0, 0, 1, 51, 4, ...be32(86400), 3, 4, 10, 0, 0, 1, 6, 4, 10, 0, 0, 1]);

export function arp(op: number, sha: number[], spa: number[], tha: number[], tpa: number[]): Uint8Array {
  return bytes([0, 1, 8, 0, 6, 4, 0, op], sha, spa, tha, tpa);
}

/** A TLS 1.2-framed ClientHello with SNI example.org. */
export function clientHello(sni: string): Uint8Array {
  const name = sni.split('').map((c) => c.charCodeAt(0));
  const sniExt = [...be16(0), ...be16(name.length + 5), ...be16(name.length + 3), 0, ...be16(name.length), ...name];
  const exts = [...be16(0x000b), ...be16(2), 1, 0, ...sniExt];
  const body = [3, 3, ...new Array<number>(32).fill(0x11), 0, ...be16(4), 0x13, 0x01, 0xc0, 0x2f, 1, 0, ...be16(exts.length), ...exts];
  const hs = [1, 0, ...be16(body.length), ...body];
  return bytes([22, 3, 1], be16(hs.length), hs);
}
