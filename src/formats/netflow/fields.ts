// Information elements (NetFlow v9 field types and IPFIX IEs, RFC 7012) that become flow fields,
// including the RFC 5103 reverse elements (enterprise 29305), and the decoding of one data
// record of a template into a RawRecord. Every length is checked against the set's end.
import { formatIPv4, formatIPv6Bytes } from '../../net.js';
import { macAt } from './normalize.js';

/** What a template field means to fir. */
export const K = {
  SKIP: 0, BYTES: 1, PKTS: 2, PROTO: 3, FLAGS: 4, SPORT: 5, DPORT: 6, SRC4: 7, DST4: 8, SRC6: 9, DST6: 10,
  FIRST_UP: 11, LAST_UP: 12, ICMP_TC: 13, ICMP_TYPE: 14, ICMP_CODE: 15, SMAC: 16, DMAC: 17, VLAN: 18,
  START_S: 19, END_S: 20, START_MS: 21, END_MS: 22, START_US: 23, END_US: 24, START_NS: 25, END_NS: 26,
  START_DUS: 27, END_DUS: 28, SYSINIT_MS: 29, RBYTES: 30, RPKTS: 31, RFLAGS: 32, BYTES_TOTAL: 33, PKTS_TOTAL: 34,
  RBYTES_TOTAL: 35, RPKTS_TOTAL: 36, SMAC_POST: 37, DMAC_POST: 38,
} as const;

/** RFC 5103: reverse elements carry this private enterprise number with the forward IE's id. */
export const REVERSE_PEN = 29305;
export const VARIABLE = 65535;

const FORWARD: Record<number, number> = {
  1: K.BYTES, 2: K.PKTS, 4: K.PROTO, 6: K.FLAGS, 7: K.SPORT, 11: K.DPORT, 8: K.SRC4, 12: K.DST4, 27: K.SRC6, 28: K.DST6,
  22: K.FIRST_UP, 21: K.LAST_UP, 32: K.ICMP_TC, 139: K.ICMP_TC, 176: K.ICMP_TYPE, 177: K.ICMP_CODE, 178: K.ICMP_TYPE,
  179: K.ICMP_CODE, 56: K.SMAC, 80: K.DMAC, 81: K.SMAC_POST, 57: K.DMAC_POST, 58: K.VLAN, 243: K.VLAN, 150: K.START_S, 151: K.END_S,
  152: K.START_MS, 153: K.END_MS, 154: K.START_US, 155: K.END_US, 156: K.START_NS, 157: K.END_NS, 158: K.START_DUS,
  159: K.END_DUS, 160: K.SYSINIT_MS, 85: K.BYTES_TOTAL, 86: K.PKTS_TOTAL,
};
const REVERSE: Record<number, number> = { 1: K.RBYTES, 2: K.RPKTS, 6: K.RFLAGS, 85: K.RBYTES_TOTAL, 86: K.RPKTS_TOTAL };

/** Allowed encoded lengths per kind (reduced-size encoding, RFC 7011 6.2, for the unsigned ones). */
function lengthOk(kind: number, len: number): boolean {
  switch (kind) {
    case K.SRC4: case K.DST4: return len === 4;
    case K.SRC6: case K.DST6: return len === 16;
    case K.SMAC: case K.DMAC: case K.SMAC_POST: case K.DMAC_POST: return len === 6;
    case K.PROTO: case K.ICMP_TYPE: case K.ICMP_CODE: return len === 1;
    case K.SPORT: case K.DPORT: case K.ICMP_TC: case K.VLAN: return len === 1 || len === 2;
    case K.FLAGS: case K.RFLAGS: return len === 1 || len === 2;
    case K.FIRST_UP: case K.LAST_UP: case K.START_S: case K.END_S: case K.START_DUS: case K.END_DUS: return len === 4;
    case K.START_MS: case K.END_MS: case K.SYSINIT_MS: return len === 8;
    case K.START_US: case K.END_US: case K.START_NS: case K.END_NS: return len === 8;
    case K.BYTES: case K.PKTS: case K.RBYTES: case K.RPKTS: case K.BYTES_TOTAL: case K.PKTS_TOTAL: case K.RBYTES_TOTAL: case K.RPKTS_TOTAL:
      return len >= 1 && len <= 8;
    default: return true;
  }
}

/** The kind of a field; `pen` 0 for IANA elements (and all NetFlow v9 fields). */
export function fieldKind(ie: number, pen: number): number {
  if (pen === 0) return FORWARD[ie] ?? K.SKIP;
  if (pen === REVERSE_PEN) return REVERSE[ie] ?? K.SKIP;
  return K.SKIP; // other enterprises' elements are skipped by their length
}

export interface Template {
  id: number;
  kinds: Uint8Array;
  lens: Uint16Array;
  /** the shortest record: fixed lengths plus one length byte per variable-length field */
  minLen: number;
  variable: boolean;
  options: boolean;
  /** a signature to tell a refresh from a redefinition */
  sig: string;
}

/** Build a template from its field list; a reason string when it cannot be used. */
export function makeTemplate(id: number, fields: { ie: number; pen: number; len: number; scope?: boolean }[], options: boolean): Template | string {
  const kinds = new Uint8Array(fields.length);
  const lens = new Uint16Array(fields.length);
  let minLen = 0;
  let variable = false;
  let sig = options ? 'o' : 'd';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const kind = f.scope ? K.SKIP : fieldKind(f.ie, f.pen);
    if (f.len === VARIABLE) {
      if (kind !== K.SKIP) return `template ${id}: element ${f.ie} cannot have variable length`;
      variable = true;
      minLen += 1;
    } else {
      if (!lengthOk(kind, f.len)) return `template ${id}: element ${f.pen ? f.pen + '/' : ''}${f.ie} has length ${f.len}`;
      minLen += f.len;
    }
    kinds[i] = kind;
    lens[i] = f.len;
    sig += `,${f.pen}.${f.ie}.${f.len}`;
  }
  if (minLen === 0) return `template ${id}: records of zero length`;
  return { id, kinds, lens, minLen, variable, options, sig };
}

/** One data record as the template states it; times still in the exporter's units. */
export interface RawRecord {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  proto: number;
  icmpTC?: number;
  icmpType?: number;
  icmpCode?: number;
  bytes?: number;
  pkts?: number;
  bytesTotal?: number;
  pktsTotal?: number;
  rbytes?: number;
  rpkts?: number;
  flags?: number;
  rflags?: number;
  firstUp?: number;
  lastUp?: number;
  startMs?: number;
  endMs?: number;
  startDus?: number;
  endDus?: number;
  sysInitMs?: number;
  smac?: string;
  dmac?: string;
  vlan?: number;
}

function uint(b: Buffer, o: number, n: number): number {
  switch (n) {
    case 1: return b[o];
    case 2: return (b[o] << 8) | b[o + 1];
    case 4: return b.readUInt32BE(o);
    case 8: return b.readUInt32BE(o) * 4294967296 + b.readUInt32BE(o + 4);
    default: {
      let v = 0;
      for (let i = 0; i < n; i++) v = v * 256 + b[o + i];
      return v;
    }
  }
}

const NTP_EPOCH_S = 2208988800;
/** NTP-format timestamp (dateTimeMicroseconds/Nanoseconds) to epoch milliseconds. */
function ntpMs(b: Buffer, o: number): number {
  const s = b.readUInt32BE(o);
  const frac = b.readUInt32BE(o + 4);
  return (s - NTP_EPOCH_S) * 1000 + Math.floor((frac / 4294967296) * 1000);
}

/**
 * Decode the record at `off` into `r`; returns the offset after it, or -1 when a
 * variable-length field runs past `end`.
 */
export function decodeRecord(b: Buffer, off: number, end: number, t: Template, r: RawRecord): number {
  const kinds = t.kinds;
  const lens = t.lens;
  let o = off;
  for (let i = 0; i < kinds.length; i++) {
    let len = lens[i];
    if (len === VARIABLE) {
      if (o >= end) return -1;
      len = b[o++];
      if (len === 255) {
        if (o + 2 > end) return -1;
        len = (b[o] << 8) | b[o + 1];
        o += 2;
      }
    }
    if (o + len > end) return -1;
    switch (kinds[i]) {
      case K.SKIP: break;
      case K.BYTES: r.bytes = uint(b, o, len); break;
      case K.PKTS: r.pkts = uint(b, o, len); break;
      case K.BYTES_TOTAL: r.bytesTotal = uint(b, o, len); break;
      case K.PKTS_TOTAL: r.pktsTotal = uint(b, o, len); break;
      case K.RBYTES: case K.RBYTES_TOTAL: r.rbytes = uint(b, o, len); break;
      case K.RPKTS: case K.RPKTS_TOTAL: r.rpkts = uint(b, o, len); break;
      case K.PROTO: r.proto = b[o]; break;
      case K.FLAGS: r.flags = b[o + len - 1]; break;
      case K.RFLAGS: r.rflags = b[o + len - 1]; break;
      case K.SPORT: r.sport = uint(b, o, len); break;
      case K.DPORT: r.dport = uint(b, o, len); break;
      case K.SRC4: r.src = formatIPv4(b.readUInt32BE(o)); break;
      case K.DST4: r.dst = formatIPv4(b.readUInt32BE(o)); break;
      case K.SRC6: r.src = formatIPv6Bytes(b, o); break;
      case K.DST6: r.dst = formatIPv6Bytes(b, o); break;
      case K.FIRST_UP: r.firstUp = b.readUInt32BE(o); break;
      case K.LAST_UP: r.lastUp = b.readUInt32BE(o); break;
      case K.ICMP_TC: r.icmpTC = uint(b, o, len); break;
      case K.ICMP_TYPE: r.icmpType = b[o]; break;
      case K.ICMP_CODE: r.icmpCode = b[o]; break;
      case K.SMAC: r.smac = macAt(b, o); break;
      case K.DMAC: r.dmac = macAt(b, o); break;
      case K.SMAC_POST: if (r.smac === undefined) r.smac = macAt(b, o); break;
      case K.DMAC_POST: if (r.dmac === undefined) r.dmac = macAt(b, o); break;
      case K.VLAN: { const v = uint(b, o, len) & 0xfff; if (v) r.vlan = v; break; }
      case K.START_S: r.startMs = b.readUInt32BE(o) * 1000; break;
      case K.END_S: r.endMs = b.readUInt32BE(o) * 1000; break;
      case K.START_MS: r.startMs = uint(b, o, 8); break;
      case K.END_MS: r.endMs = uint(b, o, 8); break;
      case K.START_US: case K.START_NS: r.startMs = ntpMs(b, o); break;
      case K.END_US: case K.END_NS: r.endMs = ntpMs(b, o); break;
      case K.START_DUS: r.startDus = b.readUInt32BE(o); break;
      case K.END_DUS: r.endDus = b.readUInt32BE(o); break;
      case K.SYSINIT_MS: r.sysInitMs = uint(b, o, 8); break;
    }
    o += len;
  }
  return o;
}
