// Transport headers: ports and flags of TCP, UDP and SCTP, type and code of ICMP/ICMPv6.
// A header cut short by the capture leaves hasPorts false (like Zeek, such a packet does
// not make a connection).
import { be16, be32, type Packet } from './packet.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;

/** Decode the transport header at p.l4Off (not for later fragments). Returns false when cut. */
export function decodeTransport(p: Packet): boolean {
  const b = p.buf;
  const off = p.l4Off;
  const cap = p.l4End - off;
  switch (p.proto) {
    case IPPROTO_TCP: {
      if (cap < 20) return false;
      const doff = (b[off + 12] >> 4) << 2;
      if (doff < 20 || doff > p.l4Len) return false;
      p.sport = be16(b, off);
      p.dport = be16(b, off + 2);
      p.tcpSeq = be32(b, off + 4) | 0;
      p.tcpFlags = b[off + 13];
      p.hasPorts = true;
      setPayload(p, off + doff, p.l4Len - doff);
      return true;
    }
    case IPPROTO_UDP: {
      if (cap < 8) return false;
      p.sport = be16(b, off);
      p.dport = be16(b, off + 2);
      p.hasPorts = true;
      setPayload(p, off + 8, p.l4Len - 8);
      return true;
    }
    case IPPROTO_SCTP: {
      if (cap < 12) return false;
      p.sport = be16(b, off);
      p.dport = be16(b, off + 2);
      p.hasPorts = true;
      setPayload(p, off + 12, p.l4Len - 12);
      return true;
    }
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: {
      if (cap < 4) return false;
      p.icmpType = b[off];
      p.icmpCode = b[off + 1];
      setPayload(p, off + 4, p.l4Len - 4);
      return true;
    }
  }
  setPayload(p, off, p.l4Len);
  return true;
}

function setPayload(p: Packet, off: number, len: number): void {
  p.payOff = off;
  p.payLen = len > 0 ? len : 0;
  const cap = p.l4End - off;
  p.payCap = cap <= 0 ? 0 : cap < p.payLen ? cap : p.payLen;
}

/**
 * The message type that answers an ICMP type, as Zeek pairs them (echo, timestamp, info,
 * address mask, router solicitation), or -1 for one-way messages (unreachable, time exceeded).
 */
export function icmp4Counterpart(type: number): number {
  switch (type) {
    case 8: return 0;
    case 0: return 8;
    case 13: return 14;
    case 14: return 13;
    case 15: return 16;
    case 16: return 15;
    case 17: return 18;
    case 18: return 17;
    case 10: return 9; // a router advertisement is one-way: it answers no one in particular
  }
  return -1;
}

/** ICMPv6 counterparts: echo, MLD, router/neighbour discovery, node information, home agent. */
export function icmp6Counterpart(type: number): number {
  switch (type) {
    case 128: return 129;
    case 129: return 128;
    case 130: return 131;
    case 131: return 130;
    case 133: return 134;
    case 134: return 133;
    case 135: return 136;
    case 136: return 135;
    case 139: return 140;
    case 140: return 139;
    case 144: return 145;
    case 145: return 144;
  }
  return -1;
}

/**
 * The "ports" of an ICMP flow as Zeek keys them: (type, counterpart type) for request/reply
 * pairs so that a request and its reply are one flow, (type, code) for one-way messages.
 */
export function icmpPorts(v6: boolean, type: number, code: number): [number, number] {
  const cp = v6 ? icmp6Counterpart(type) : icmp4Counterpart(type);
  return cp < 0 ? [type, code] : [type, cp];
}
