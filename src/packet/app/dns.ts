// DNS messages (RFC 1035, also mDNS and LLMNR, which share the format) decoded into the flow's
// `dns` summary. Every byte is hostile: each offset is checked, compression pointers may only
// jump backwards to ever earlier offsets, and names, labels, records and answers are capped.
import type { DnsInfo } from '../../record.js';
import { formatIPv6Bytes } from '../../net.js';
import { bytesText, hexText, hostText, ipv4Text, labelText, u16, u32 } from './text.js';

/** Answers kept per flow (ttls alongside). */
export const MAX_ANSWERS = 20;
/** Distinct query names kept per flow in `qnames`. */
export const MAX_QNAMES = 20;
/** Resource records walked per message; a message claiming more is garbage or an attack. */
const MAX_RRS = 256;
const MAX_QUESTIONS = 16;
const MAX_JUMPS = 32;
const MAX_RDATA_TEXT = 512;

const TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL', 11: 'WKS',
  12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB', 19: 'X25', 20: 'ISDN',
  21: 'RT', 22: 'NSAP', 23: 'NSAP-PTR', 24: 'SIG', 25: 'KEY', 26: 'PX', 27: 'GPOS', 28: 'AAAA', 29: 'LOC',
  30: 'NXT', 31: 'EID', 32: 'NIMLOC', 33: 'SRV', 34: 'ATMA', 35: 'NAPTR', 36: 'KX', 37: 'CERT', 38: 'A6',
  39: 'DNAME', 40: 'SINK', 41: 'OPT', 42: 'APL', 43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY', 46: 'RRSIG',
  47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 53: 'SMIMEA', 55: 'HIP',
  56: 'NINFO', 57: 'RKEY', 58: 'TALINK', 59: 'CDS', 60: 'CDNSKEY', 61: 'OPENPGPKEY', 62: 'CSYNC', 63: 'ZONEMD',
  64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 104: 'NID', 105: 'L32', 106: 'L64', 107: 'LP', 108: 'EUI48', 109: 'EUI64',
  249: 'TKEY', 250: 'TSIG', 251: 'IXFR', 252: 'AXFR', 253: 'MAILB', 254: 'MAILA', 255: 'ANY', 256: 'URI',
  257: 'CAA', 32768: 'TA', 32769: 'DLV',
};
const RCODES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN',
  7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 11: 'DSOTYPENI', 16: 'BADVERS', 17: 'BADKEY',
  18: 'BADTIME', 19: 'BADMODE', 20: 'BADNAME', 21: 'BADALG', 22: 'BADTRUNC', 23: 'BADCOOKIE',
};
const CLASSES: Record<number, string> = { 1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' };
const OPCODES: Record<number, string> = { 0: 'QUERY', 1: 'IQUERY', 2: 'STATUS', 4: 'NOTIFY', 5: 'UPDATE', 6: 'DSO' };
const NB_OPCODES: Record<number, string> = { 0: 'QUERY', 5: 'REGISTRATION', 6: 'RELEASE', 7: 'WACK', 8: 'REFRESH', 9: 'REFRESH' };

export function dnsTypeName(t: number): string {
  return TYPES[t] ?? `TYPE${t}`;
}
export function dnsRcodeName(r: number): string {
  return RCODES[r] ?? `RCODE${r}`;
}
export function dnsClassName(c: number): string {
  return CLASSES[c] ?? `CLASS${c}`;
}

/** 'mdns' masks the unicast-response bit of the class; 'nbns' is NetBIOS name service (RFC 1002). */
export type DnsFlavor = 'dns' | 'mdns' | 'nbns';

/**
 * A NetBIOS name from its first-level encoding (RFC 1001 §14.1: 32 letters A-P, two per byte) as
 * NAME<xx>, xx the suffix byte in hex (00 workstation, 20 server, 1c domain controllers…), then
 * any scope labels. Anything not so encoded stays as it was.
 */
export function netbiosName(encoded: string): string {
  const dot = encoded.indexOf('.');
  const first = dot < 0 ? encoded : encoded.slice(0, dot);
  if (first.length !== 32) return encoded;
  const raw = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const hi = first.charCodeAt(2 * i) - 65;
    const lo = first.charCodeAt(2 * i + 1) - 65;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return encoded;
    raw[i] = (hi << 4) | lo;
  }
  let n = 15;
  while (n > 0 && raw[n - 1] === 0x20) n--;
  const name = hostText(raw, 0, n) + '<' + hexText(raw, 15, 16) + '>';
  return dot < 0 ? name : name + encoded.slice(dot);
}

/** NB rdata (RFC 1002 §4.2.13): 2 flag bytes then an IPv4 address, repeated; the addresses. */
function nbAddresses(buf: Uint8Array, p: number, end: number): string | undefined {
  let s = '';
  for (; p + 6 <= end; p += 6) s += (s ? ' ' : '') + ipv4Text(buf, p + 2);
  return s || undefined;
}

/** What merging needs to know about a dns object; a symbol, so it never reaches the NDJSON. */
export const DNS_STATE: unique symbol = Symbol('fir.dns.state');
export interface DnsState {
  /** query messages and response messages seen */
  queries: number;
  responses: number;
}
export type DnsSummary = DnsInfo & { [DNS_STATE]?: DnsState };

// Where the last readName ended in the message (after the name in place, not after a jump).
let nameNext = 0;

/**
 * The name at pos in the message msg..end, in presentation form without the trailing dot
 * ("." for the root); undefined when it is malformed, loops, or runs past the end.
 */
export function readName(buf: Uint8Array, msg: number, pos: number, end: number): string | undefined {
  let s = '';
  let wire = 1;
  let jumps = 0;
  let next = -1;
  let limit = pos; // a pointer must point before the previous target (or before the name)
  for (;;) {
    if (pos >= end) return undefined;
    const l = buf[pos];
    if (l === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if ((l & 0xc0) === 0xc0) {
      if (pos + 1 >= end) return undefined;
      const target = msg + (((l & 0x3f) << 8) | buf[pos + 1]);
      if (next < 0) next = pos + 2;
      if (target >= limit || ++jumps > MAX_JUMPS) return undefined;
      limit = target;
      pos = target;
      continue;
    }
    if (l > 63) return undefined; // 0x40/0x80: extended label types, obsolete and unsupported
    wire += l + 1;
    if (wire > 255 || pos + 1 + l > end) return undefined;
    s += s.length === 0 ? labelText(buf, pos + 1, pos + 1 + l) : '.' + labelText(buf, pos + 1, pos + 1 + l);
    pos += 1 + l;
  }
  nameNext = next;
  return s.length === 0 ? '.' : s;
}

/** An answer's rdata as text: addresses, names, TXT text, or RFC 3597's `\# LEN HEX`. */
function rdataText(buf: Uint8Array, msg: number, type: number, p: number, rdEnd: number): string | undefined {
  const rdlen = rdEnd - p;
  switch (type) {
    case 1:
      return rdlen === 4 ? ipv4Text(buf, p) : undefined;
    case 28:
      return rdlen === 16 ? formatIPv6Bytes(buf, p) : undefined;
    case 2: case 5: case 12: case 39: case 6: case 3: case 4: case 7: case 8: case 9: {
      const n = readName(buf, msg, p, rdEnd);
      return n;
    }
    case 15: case 18: case 21: case 36:
      return rdlen > 2 ? readName(buf, msg, p + 2, rdEnd) : undefined;
    case 33:
      return rdlen > 6 ? readName(buf, msg, p + 6, rdEnd) : undefined;
    case 16: case 99: {
      // character-strings, concatenated (RFC 7208 reads SPF so); each one's bytes escaped
      let s = '';
      let q = p;
      while (q < rdEnd && s.length < MAX_RDATA_TEXT) {
        const l = buf[q];
        if (q + 1 + l > rdEnd) return s.length ? s : undefined;
        s += bytesText(buf, q + 1, q + 1 + l, MAX_RDATA_TEXT);
        q += 1 + l;
      }
      return s;
    }
    default:
      return rdlen === 0 ? '\\# 0' : `\\# ${rdlen} ${hexText(buf, p, rdEnd, '', 128)}`;
  }
}

/**
 * One DNS message at buf[msg..end). strict (for unusual ports) also demands one question of a
 * usual class and a message that parses to its last byte. undefined when it is not DNS.
 */
export function decodeDns(buf: Uint8Array, msg: number, end: number, strict: boolean, flavor: DnsFlavor = 'dns'): DnsSummary | undefined {
  if (end > buf.length) end = buf.length;
  if (msg < 0 || end - msg < 12) return undefined;
  const id = u16(buf, msg);
  const flags = u16(buf, msg + 2);
  const qd = u16(buf, msg + 4);
  const an = u16(buf, msg + 6);
  const ns = u16(buf, msg + 8);
  const ar = u16(buf, msg + 10);
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 15;
  if (flavor === 'nbns' ? NB_OPCODES[opcode] === undefined : opcode === 3 || opcode > 6) return undefined;
  if (strict && (qd !== 1 || opcode !== 0 || (flags & 0x40) !== 0 || an + ns + ar > MAX_RRS || (!response && an + ns > 0))) return undefined;
  let qname: string | undefined;
  let qtype = 0;
  let qclass = 0;
  let pos = msg + 12;
  let complete = true;
  for (let i = 0; i < qd && i < MAX_QUESTIONS; i++) {
    const name = readName(buf, msg, pos, end);
    if (name === undefined || nameNext + 4 > end) {
      complete = false;
      break;
    }
    if (i === 0) {
      qname = name;
      qtype = u16(buf, nameNext);
      qclass = u16(buf, nameNext + 2);
      if (flavor === 'mdns') qclass &= 0x7fff; // the top bit asks for a unicast reply
      if (strict && qclass !== 1 && qclass !== 3 && qclass !== 255) return undefined;
    }
    pos = nameNext + 4;
  }
  if (qd > MAX_QUESTIONS) complete = false;
  if (strict && !complete) return undefined;
  let rcode = flags & 15;
  let answers: string[] | undefined;
  let ttls: number[] | undefined;
  if (response) {
    answers = [];
    ttls = [];
    const total = an + ns + ar;
    for (let i = 0; complete && i < total; i++) {
      if (i >= MAX_RRS) {
        complete = false;
        break;
      }
      const owner = readName(buf, msg, pos, end);
      if (owner === undefined || nameNext + 10 > end) {
        complete = false;
        break;
      }
      const p = nameNext;
      const type = u16(buf, p);
      const rdlen = u16(buf, p + 8);
      const rd = p + 10;
      if (rd + rdlen > end) {
        complete = false;
        break;
      }
      if (i < an) {
        if (i === 0 && qname === undefined && !strict) {
          // a response without a question (an mDNS announcement): its first record names it
          qname = owner;
          qtype = type;
          qclass = u16(buf, p + 2) & (flavor === 'mdns' ? 0x7fff : 0xffff);
        }
        if (answers.length < MAX_ANSWERS) {
          const text = flavor === 'nbns' && type === 32 ? nbAddresses(buf, rd, rd + rdlen) : rdataText(buf, msg, type, rd, rd + rdlen);
          if (text !== undefined) {
            answers.push(text);
            ttls.push(u32(buf, p + 4));
          }
        }
      } else if (i >= an + ns && type === 41) {
        rcode |= buf[p + 4] << 4; // EDNS extended rcode: the TTL's top byte holds the upper 8 bits
      }
      pos = rd + rdlen;
    }
    if (strict && (!complete || pos !== end)) return undefined;
  } else if (strict && pos !== end) {
    // a query carries at most an OPT record after its question
    if (ar > 1 || readName(buf, msg, pos, end) === undefined || nameNext + 10 > end || u16(buf, nameNext) !== 41) return undefined;
    if (nameNext + 10 + u16(buf, nameNext + 8) !== end) return undefined;
  }
  const info: DnsSummary = {};
  if (qname !== undefined) {
    info.qname = flavor === 'nbns' ? netbiosName(qname) : qname;
    info.qtype = flavor === 'nbns' && (qtype === 32 || qtype === 33) ? (qtype === 32 ? 'NB' : 'NBSTAT') : dnsTypeName(qtype);
    info.qclass = dnsClassName(qclass);
  }
  if (response) {
    info.rcode = dnsRcodeName(rcode);
    if (answers && answers.length) {
      info.answers = answers;
      info.ttls = ttls;
    }
  }
  info.id = id;
  if (opcode !== 0) info.opcode = flavor === 'nbns' ? NB_OPCODES[opcode] : OPCODES[opcode];
  info.rd = (flags & 0x100) !== 0;
  if (response) {
    info.aa = (flags & 0x400) !== 0;
    info.tc = (flags & 0x200) !== 0;
    info.ra = (flags & 0x80) !== 0;
  }
  info[DNS_STATE] = { queries: response ? 0 : 1, responses: response ? 1 : 0 };
  return info;
}

function stateOf(d: DnsSummary): DnsState {
  let st = d[DNS_STATE];
  if (!st) {
    // an object that lost its state (copied through JSON): rebuild it from the visible fields
    const q = typeof d.queries === 'number' ? d.queries : d.rcode === undefined ? 1 : 0;
    const r = typeof d.responses === 'number' ? d.responses : d.rcode === undefined ? 0 : 1;
    st = { queries: q, responses: r };
    d[DNS_STATE] = st;
  }
  return st;
}

/**
 * Fold one message's summary into the flow's: the first question names the flow (later distinct
 * names go to `qnames`), the first response gives rcode and flags, answers accumulate up to
 * MAX_ANSWERS, `queries`/`responses` count the messages inspected once there are several.
 * Updates `into` in place and returns it.
 */
export function mergeDns(into: DnsSummary, next: DnsSummary): DnsSummary {
  const st = stateOf(into);
  const ns = stateOf(next);
  if (next.qname !== undefined) {
    if (into.qname === undefined) {
      into.qname = next.qname;
      into.qtype = next.qtype;
      into.qclass = next.qclass;
    } else if (next.qname !== into.qname) {
      const names = (Array.isArray(into.qnames) ? into.qnames : [into.qname]) as string[];
      if (names.length < MAX_QNAMES && !names.includes(next.qname)) names.push(next.qname);
      into.qnames = names;
    }
  }
  if (into.opcode === undefined && next.opcode !== undefined) into.opcode = next.opcode;
  if (next.rcode !== undefined) {
    const first = into.rcode === undefined;
    if (first) into.rcode = next.rcode;
    if (next.answers && next.answers.length) {
      const answers = into.answers ?? (into.answers = []);
      const ttls = (Array.isArray(into.ttls) ? into.ttls : (into.ttls = [])) as number[];
      const nttls = (next.ttls ?? []) as number[];
      for (let i = 0; i < next.answers.length && answers.length < MAX_ANSWERS; i++) {
        if (answers.includes(next.answers[i])) continue; // a retransmitted or repeated answer
        answers.push(next.answers[i]);
        ttls.push(nttls[i]);
      }
    }
    if (first) {
      into.aa = next.aa;
      into.tc = next.tc;
      into.ra = next.ra;
    } else if (next.tc === true) into.tc = true;
  }
  st.queries += ns.queries;
  st.responses += ns.responses;
  if (st.queries > 1) into.queries = st.queries;
  if (st.responses > 1) into.responses = st.responses;
  return into;
}
