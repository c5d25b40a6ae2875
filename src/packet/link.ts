// Link layers: find the network layer of a captured frame, with its MAC addresses and the
// outermost VLAN. Every read is checked against the captured length.
import { be16, le16, le32, be32, type Packet } from './packet.js';

/** pcap/pcapng link types (https://www.tcpdump.org/linktypes.html) that fir decodes. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  RAW_OLD: 12,
  RAW_OPENBSD: 14,
  PPP_HDLC: 50,
  PPP_ETHER: 51,
  RAW: 101,
  IEEE802_11: 105,
  LOOP: 108,
  LINUX_SLL: 113,
  RADIOTAP: 127,
  IPV4: 228,
  IPV6: 229,
  NFLOG: 239,
  LINUX_SLL2: 276,
} as const;

export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;
export const ETH_ARP = 0x0806;

/** Link types this decoder understands (others are counted and reported once). */
export function knownLinktype(lt: number): boolean {
  switch (lt) {
    case 0: case 1: case 9: case 12: case 14: case 50: case 51: case 101: case 105: case 108:
    case 113: case 127: case 228: case 229: case 239: case 276:
      return true;
  }
  return false;
}

/**
 * Decode the link header of the frame buf[off, end) of link type `lt` into p (netType,
 * netOff, MACs, VLAN). Returns false when there is no network layer fir can use.
 */
export function decodeLink(p: Packet, lt: number, buf: Uint8Array, off: number, end: number): boolean {
  p.reset(buf, off, end);
  switch (lt) {
    case 1:
      return ethernet(p, off, end);
    case 101:
    case 12:
    case 14:
      return rawIp(p, off, end);
    case 228:
      p.netType = ETH_IPV4;
      p.netOff = off;
      return true;
    case 229:
      p.netType = ETH_IPV6;
      p.netOff = off;
      return true;
    case 113: {
      // Linux cooked v1: pkttype(2) hatype(2) halen(2) addr(8) protocol(2)
      if (end - off < 16) return false;
      if (be16(buf, off + 2) === 1 && be16(buf, off + 4) === 6) p.smacOff = off + 6;
      return etherType(p, be16(buf, off + 14), off + 16, end);
    }
    case 276: {
      // Linux cooked v2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
      if (end - off < 20) return false;
      if (be16(buf, off + 8) === 1 && buf[off + 11] === 6) p.smacOff = off + 12;
      return etherType(p, be16(buf, off), off + 20, end);
    }
    case 0: {
      // BSD loopback: address family in the capturing host's byte order
      if (end - off < 4) return false;
      let af = le32(buf, off);
      if (af > 0xffff) af = be32(buf, off);
      return loopFamily(p, af, off + 4, end);
    }
    case 108:
      if (end - off < 4) return false;
      return loopFamily(p, be32(buf, off), off + 4, end);
    case 9:
    case 50:
    case 51:
      return ppp(p, off, end);
    case 105:
      return ieee80211(p, off, end);
    case 239:
      return nflog(p, off, end);
    case 127: {
      if (end - off < 8) return false;
      const len = le16(buf, off + 2);
      if (len < 8 || off + len > end) return false;
      return ieee80211(p, off + len, end);
    }
  }
  return false;
}

/** Linux NFLOG: a 4-byte header, then TLVs (lengths in host order, little-endian here) until the payload (type 9). */
function nflog(p: Packet, off: number, end: number): boolean {
  const b = p.buf;
  if (end - off < 4) return false;
  let q = off + 4;
  for (let n = 0; n < 64 && end - q >= 4; n++) {
    const len = le16(b, q);
    const type = le16(b, q + 2);
    if (len < 4 || q + len > end) return false;
    if (type === 9) return rawIp(p, q + 4, q + len) && ((p.end = q + len), true);
    q += (len + 3) & ~3;
  }
  return false;
}

function rawIp(p: Packet, off: number, end: number): boolean {
  if (off >= end) return false;
  const v = p.buf[off] >> 4;
  if (v === 4) p.netType = ETH_IPV4;
  else if (v === 6) p.netType = ETH_IPV6;
  else return false;
  p.netOff = off;
  return true;
}

function loopFamily(p: Packet, af: number, off: number, end: number): boolean {
  if (af === 2) {
    p.netType = ETH_IPV4;
  } else if (af === 10 || af === 24 || af === 28 || af === 30) {
    p.netType = ETH_IPV6;
  } else return false;
  p.netOff = off;
  return off < end;
}

function ethernet(p: Packet, off: number, end: number): boolean {
  if (end - off < 14) return false;
  p.dmacOff = off;
  p.smacOff = off + 6;
  return etherType(p, be16(p.buf, off + 12), off + 14, end);
}

/** Follow EtherTypes through VLAN tags, MPLS, PPPoE, PBB, FabricPath, VN-Tag and LLC/SNAP. */
function etherType(p: Packet, type: number, off: number, end: number): boolean {
  const b = p.buf;
  for (let hops = 0; hops < 16; hops++) {
    switch (type) {
      case 0x0800:
      case 0x86dd:
      case 0x0806:
        p.netType = type;
        p.netOff = off;
        return true;
      case 0x8100:
      case 0x88a8:
      case 0x9100:
      case 0x9200:
        if (end - off < 4) return false;
        if (p.vlan < 0) p.vlan = be16(b, off) & 0x0fff;
        type = be16(b, off + 2);
        off += 4;
        break;
      case 0x8847:
      case 0x8848: {
        // MPLS: labels down to the bottom of the stack, then IP by its version nibble
        for (;;) {
          if (end - off < 4) return false;
          const bottom = b[off + 2] & 1;
          off += 4;
          if (bottom) break;
        }
        return rawIp(p, off, end);
      }
      case 0x8864: {
        // PPPoE session: 6-byte header, then the PPP protocol
        if (end - off < 8) return false;
        const proto = be16(b, off + 6);
        if (proto === 0x0021) type = 0x0800;
        else if (proto === 0x0057) type = 0x86dd;
        else return false;
        off += 8;
        break;
      }
      case 0x88e7:
        // 802.1ah PBB: I-TAG, then the customer's MACs and EtherType
        if (end - off < 18) return false;
        p.dmacOff = off + 4;
        p.smacOff = off + 10;
        type = be16(b, off + 16);
        off += 18;
        break;
      case 0x8903:
        // Cisco FabricPath: FTag/TTL, then the inner Ethernet header
        if (end - off < 16) return false;
        p.dmacOff = off + 2;
        p.smacOff = off + 8;
        type = be16(b, off + 14);
        off += 16;
        break;
      case 0x8926:
        // VN-Tag
        if (end - off < 6) return false;
        type = be16(b, off + 4);
        off += 6;
        break;
      default:
        if (type <= 1500) {
          // 802.3 length field: only LLC/SNAP carries an EtherType
          if (end - off < 8 || b[off] !== 0xaa || b[off + 1] !== 0xaa || b[off + 2] !== 0x03) return false;
          type = be16(b, off + 6);
          off += 8;
          break;
        }
        return false;
    }
  }
  return false;
}

function ppp(p: Packet, off: number, end: number): boolean {
  if (end - off < 2) return false;
  const b = p.buf;
  if (b[off] === 0xff && b[off + 1] === 0x03) off += 2;
  if (end - off < 2) return false;
  let proto = b[off];
  if (proto & 1) {
    off += 1; // compressed protocol field
  } else {
    proto = be16(b, off);
    off += 2;
  }
  if (proto === 0x21) p.netType = ETH_IPV4;
  else if (proto === 0x57) p.netType = ETH_IPV6;
  else return false;
  p.netOff = off;
  return true;
}

function ieee80211(p: Packet, off: number, end: number): boolean {
  const b = p.buf;
  if (end - off < 24) return false;
  const fc0 = b[off];
  const fc1 = b[off + 1];
  if (((fc0 >> 2) & 3) !== 2) return false; // data frames only
  if (fc1 & 0x40) return false; // protected: encrypted payload
  const toDs = fc1 & 1;
  const fromDs = fc1 & 2;
  let len = 24;
  if (toDs && fromDs) len += 6;
  const qos = (fc0 >> 4) & 8;
  if (qos) {
    len += 2;
    if (fc1 & 0x80) len += 4; // HT control
  }
  if ((fc0 >> 4) & 4) return false; // null data
  if (!toDs && !fromDs) {
    p.dmacOff = off + 4;
    p.smacOff = off + 10;
  } else if (toDs && !fromDs) {
    p.dmacOff = off + 16;
    p.smacOff = off + 10;
  } else if (!toDs && fromDs) {
    p.dmacOff = off + 4;
    p.smacOff = off + 16;
  } else {
    p.dmacOff = off + 16;
    p.smacOff = off + 24;
  }
  off += len;
  if (end - off < 8 || b[off] !== 0xaa || b[off + 1] !== 0xaa || b[off + 2] !== 0x03) return false;
  return etherType(p, be16(b, off + 6), off + 8, end);
}
