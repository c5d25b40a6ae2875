// The decoded headers of one packet. One instance is reused for every packet (and one per
// tunnel depth), so decoding allocates nothing: the flow meter reads offsets into the
// captured bytes and copies only what a new flow keeps.

export const enum Frag {
  None = 0,
  /** offset 0 with more fragments to come: carries the transport header */
  First = 1,
  /** a later fragment: no transport header */
  Later = 2,
}

export class Packet {
  buf: Uint8Array = new Uint8Array(0);
  /** end of the captured bytes of this frame in buf */
  end = 0;

  // link layer
  /** offset of the destination MAC (6 bytes), -1 when the link has none */
  dmacOff = -1;
  /** offset of the source MAC (6 bytes), -1 when the link has none */
  smacOff = -1;
  /** outermost 802.1Q VLAN id, -1 when untagged */
  vlan = -1;
  /** EtherType of the network layer (0x0800, 0x86dd, 0x0806), 0 when unknown */
  netType = 0;
  netOff = 0;

  // network layer
  ipVer = 0;
  /** IP bytes of the packet as its header states them (IP header included) */
  ipLen = 0;
  /** offset of the 4- or 16-byte source and destination addresses */
  srcOff = 0;
  dstOff = 0;
  proto = 0;
  frag: Frag = Frag.None;
  fragId = 0;
  /** fragment offset in bytes */
  fragOff = 0;
  /** bytes of transport header and payload as the IP header states them */
  l4Len = 0;
  l4Off = 0;
  /** end of the captured transport bytes (min of capture end and IP length) */
  l4End = 0;

  // transport layer
  hasPorts = false;
  sport = 0;
  dport = 0;
  tcpFlags = 0;
  /** the TCP sequence number as a signed 32-bit integer (kept unboxed by V8) */
  tcpSeq = 0;
  icmpType = -1;
  icmpCode = -1;
  /** captured payload */
  payOff = 0;
  payCap = 0;
  /** payload bytes as the headers state them */
  payLen = 0;

  reset(buf: Uint8Array, off: number, end: number): void {
    this.buf = buf;
    this.end = end;
    this.dmacOff = -1;
    this.smacOff = -1;
    this.vlan = -1;
    this.netType = 0;
    this.netOff = off;
    this.ipVer = 0;
    this.frag = Frag.None;
    this.hasPorts = false;
    this.sport = 0;
    this.dport = 0;
    this.tcpFlags = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.payOff = 0;
    this.payCap = 0;
    this.payLen = 0;
  }
}

export function be16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function be32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function le16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

export function le32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
