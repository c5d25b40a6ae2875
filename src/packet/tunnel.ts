// Tunnels that Zeek decapsulates by default: IP-in-IP, GRE (with ERSPAN I/II/III and PPTP's
// enhanced GRE), VXLAN, Geneve, Teredo, GTP-U and GRE over UDP. The outer packet still makes
// its own flow; the inner packet is decoded into `inner` and metered as well.
import { decodeLink, ETH_IPV4, ETH_IPV6 } from './link.js';
import { be16, type Packet } from './packet.js';

const LT_ETHERNET = 1;
const LT_RAW = 101;
const LT_PPP = 9;

/** Decode the payload of `outer` as a tunnelled packet into `inner`; false when it is none. */
export function decodeTunnel(outer: Packet, inner: Packet): boolean {
  const proto = outer.proto;
  if (proto === 4 || proto === 41) {
    if (outer.l4End <= outer.l4Off) return false;
    return carry(outer, inner, LT_RAW, outer.l4Off, outer.l4End);
  }
  if (proto === 47) return gre(outer, inner, outer.l4Off, outer.l4End);
  if (proto === 17 && outer.hasPorts) {
    const off = outer.payOff;
    const end = off + outer.payCap;
    const d = outer.dport;
    const s = outer.sport;
    if (d === 4789 || s === 4789) return vxlan(outer, inner, off, end);
    if (d === 6081 || s === 6081) return geneve(outer, inner, off, end);
    if (d === 2152 || s === 2152) return gtp(outer, inner, off, end);
    if (d === 4754 || s === 4754) return gre(outer, inner, off, end);
    // Teredo is recognised on any port by its content, as Zeek does
    if (outer.payLen >= 40 && end - off >= 40 && (outer.buf[off] >> 4 === 6 || outer.buf[off] === 0)) return teredo(outer, inner, off, end);
  }
  return false;
}

/** Decode the inner frame; it keeps the outer layer 2 where it has none of its own. */
function carry(outer: Packet, inner: Packet, lt: number, off: number, end: number): boolean {
  if (!decodeLink(inner, lt, outer.buf, off, end)) return false;
  if (inner.dmacOff < 0 && inner.smacOff < 0) {
    inner.dmacOff = outer.dmacOff;
    inner.smacOff = outer.smacOff;
  }
  if (inner.vlan < 0) inner.vlan = outer.vlan;
  return inner.netType === ETH_IPV4 || inner.netType === ETH_IPV6 || inner.netType === 0x0806;
}

function gre(outer: Packet, inner: Packet, off: number, end: number): boolean {
  const b = outer.buf;
  if (end - off < 4) return false;
  const flags = be16(b, off);
  const version = flags & 7;
  const ptype = be16(b, off + 2);
  let q = off + 4;
  if (version === 0) {
    if (flags & 0x8000) q += 4; // checksum + reserved
    if (flags & 0x2000) q += 4; // key
    if (flags & 0x1000) q += 4; // sequence
  } else if (version === 1) {
    q += 4; // payload length + call id
    if (flags & 0x1000) q += 4;
    if (flags & 0x0080) q += 4; // acknowledgement
  } else return false;
  if (q > end) return false;
  switch (ptype) {
    case 0x0800:
    case 0x86dd:
      return carry(outer, inner, LT_RAW, q, end);
    case 0x6558:
      return carry(outer, inner, LT_ETHERNET, q, end);
    case 0x880b:
      return carry(outer, inner, LT_PPP, q, end);
    case 0x88be:
      // ERSPAN type II has a sequence number and an 8-byte header; type I has neither
      if (flags & 0x1000) q += 8;
      return q < end && carry(outer, inner, LT_ETHERNET, q, end);
    case 0x22eb: {
      // ERSPAN type III: 12-byte header, 8 more with the platform-specific subheader
      if (end - q < 12) return false;
      const o = b[q + 11] & 1;
      q += o ? 20 : 12;
      return q < end && carry(outer, inner, LT_ETHERNET, q, end);
    }
  }
  return false;
}

function vxlan(outer: Packet, inner: Packet, off: number, end: number): boolean {
  if (end - off < 8 + 14 || !(outer.buf[off] & 0x08)) return false;
  return carry(outer, inner, LT_ETHERNET, off + 8, end);
}

function geneve(outer: Packet, inner: Packet, off: number, end: number): boolean {
  const b = outer.buf;
  if (end - off < 8 || b[off] >> 6 !== 0) return false;
  const q = off + 8 + ((b[off] & 0x3f) << 2);
  if (q >= end) return false;
  const ptype = be16(b, off + 2);
  if (ptype === 0x6558) return carry(outer, inner, LT_ETHERNET, q, end);
  if (ptype === 0x0800 || ptype === 0x86dd) return carry(outer, inner, LT_RAW, q, end);
  return false;
}

function gtp(outer: Packet, inner: Packet, off: number, end: number): boolean {
  const b = outer.buf;
  if (end - off < 8) return false;
  const flags = b[off];
  if (flags >> 5 !== 1 || !(flags & 0x10) || b[off + 1] !== 0xff) return false; // GTPv1, T-PDU
  let q = off + 8;
  if (flags & 0x07) {
    if (end - q < 4) return false;
    let next = b[q + 3];
    q += 4;
    for (let n = 0; next !== 0 && n < 16; n++) {
      if (q >= end) return false;
      const len = b[q] << 2;
      if (len === 0 || q + len > end) return false;
      next = b[q + len - 1];
      q += len;
    }
  }
  if (q >= end) return false;
  const v = b[q] >> 4;
  if (v !== 4 && v !== 6) return false;
  return carry(outer, inner, LT_RAW, q, end);
}

function teredo(outer: Packet, inner: Packet, off: number, end: number): boolean {
  const b = outer.buf;
  let q = off;
  for (let n = 0; n < 2 && end - q >= 2 && b[q] === 0; n++) {
    if (b[q + 1] === 1) {
      // authentication: id and auth lengths, nonce 8, confirmation 1
      if (end - q < 4) return false;
      q += 4 + b[q + 2] + b[q + 3] + 9;
    } else if (b[q + 1] === 0) {
      q += 8; // origin indication
    } else return false;
  }
  if (end - q < 40 || b[q] >> 4 !== 6) return false;
  // an IPv6 packet that fills the datagram exactly (a bubble has no payload)
  if (q - off + 40 + be16(b, q + 4) !== outer.payLen) return false;
  return carry(outer, inner, LT_RAW, q, end);
}
