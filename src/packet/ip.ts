// IPv4 and IPv6 headers: addresses, protocol, fragments and lengths; IPv6 extension headers
// are walked (routing type 0 and the home address option give the addresses Zeek uses).
import { be16, be32, Frag, type Packet } from './packet.js';

/** Decode the IP header at p.netOff. Returns false when it is not a usable IP header. */
export function decodeIp(p: Packet): boolean {
  const b = p.buf;
  const off = p.netOff;
  const end = p.end;
  if (off >= end) return false;
  const v = b[off] >> 4;
  if (v === 4) return ipv4(p, b, off, end);
  if (v === 6) return ipv6(p, b, off, end);
  return false;
}

function ipv4(p: Packet, b: Uint8Array, off: number, end: number): boolean {
  if (end - off < 20) return false;
  const ihl = (b[off] & 15) << 2;
  if (ihl < 20 || off + ihl > end) return false;
  let total = be16(b, off + 2);
  if (total === 0) total = end - off; // segmentation offload: the header leaves it 0
  else if (total < ihl) return false;
  p.ipVer = 4;
  p.ipLen = total;
  p.srcOff = off + 12;
  p.dstOff = off + 16;
  p.proto = b[off + 9];
  const fo = be16(b, off + 6);
  const offset = (fo & 0x1fff) << 3;
  if (offset) {
    p.frag = Frag.Later;
  } else if (fo & 0x2000) {
    p.frag = Frag.First;
  } else {
    p.frag = Frag.None;
  }
  p.fragOff = offset;
  p.fragId = be16(b, off + 4);
  p.l4Off = off + ihl;
  p.l4Len = total - ihl;
  const capEnd = off + total;
  p.l4End = capEnd < end ? capEnd : end;
  return true;
}

function ipv6(p: Packet, b: Uint8Array, off: number, end: number): boolean {
  if (end - off < 40) return false;
  const plen = be16(b, off + 4);
  const total = 40 + plen; // as Zeek counts (a jumbogram's real length is not used)
  p.ipVer = 6;
  p.ipLen = total;
  p.srcOff = off + 8;
  p.dstOff = off + 24;
  p.frag = Frag.None;
  p.fragOff = 0;
  let nh = b[off + 6];
  let q = off + 40;
  const ipEnd = off + total < end ? off + total : end;
  for (let n = 0; n < 32; n++) {
    if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140) {
      if (ipEnd - q < 8) return false;
      const len = (b[q + 1] + 1) << 3;
      if (q + len > ipEnd) return false;
      if (nh === 43 && b[q + 2] === 0 && b[q + 3] > 0 && len >= 24) {
        // routing type 0 with segments left: the final destination is the last address
        p.dstOff = q + len - 16;
      } else if (nh === 60) {
        homeAddress(p, b, q + 2, q + len);
      }
      nh = b[q];
      q += len;
    } else if (nh === 44) {
      if (ipEnd - q < 8) return false;
      const fo = be16(b, q + 2);
      const offset = fo & 0xfff8;
      p.fragOff = offset;
      p.fragId = be32(b, q + 4);
      if (offset) p.frag = Frag.Later;
      else if (fo & 1) p.frag = Frag.First;
      nh = b[q];
      q += 8;
      if (p.frag === Frag.Later) break;
    } else if (nh === 51) {
      if (ipEnd - q < 8) return false;
      const len = (b[q + 1] + 2) << 2;
      if (q + len > ipEnd) return false;
      nh = b[q];
      q += len;
    } else {
      break;
    }
  }
  p.proto = nh;
  p.l4Off = q;
  p.l4Len = off + total - q;
  if (p.l4Len < 0) return false;
  p.l4End = ipEnd;
  return true;
}

/** Destination options: a home address option (type 0xc9) replaces the source address. */
function homeAddress(p: Packet, b: Uint8Array, q: number, end: number): void {
  while (q < end) {
    const t = b[q];
    if (t === 0) {
      q++;
      continue;
    }
    if (q + 2 > end) return;
    const len = b[q + 1];
    if (q + 2 + len > end) return;
    if (t === 0xc9 && len === 16) {
      p.srcOff = q + 2;
      return;
    }
    q += 2 + len;
  }
}
