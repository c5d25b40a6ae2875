// NetFlow v9 (RFC 3954): a 20-byte header, then flowsets: 0 templates, 1 options templates,
// >= 256 data. Every flowset length and template field count is checked before use.
import { VARIABLE } from './fields.js';
import { decodeDataSet, defineTemplate, holdDataSet, type FieldSpec, type PacketContext } from './sets.js';
import { LIMITS, type DomainState, type HeaderInfo } from './templates.js';

export const V9_HEADER = 20;

/** Decode a v9 datagram into pc.raws; returns a reason when the packet is malformed. */
export function decodeV9(b: Buffer, pc: PacketContext): string | undefined {
  if (b.length < V9_HEADER) return `v9 header needs ${V9_HEADER} bytes, datagram has ${b.length}`;
  const hdr: HeaderInfo = {
    version: 9,
    sysUptime: b.readUInt32BE(4),
    exportMs: b.readUInt32BE(8) * 1000,
    seq: b.readUInt32BE(12),
    domain: b.readUInt32BE(16),
    packetNo: pc.packetNo,
  };
  // walk the flowsets first: a packet whose structure is broken is skipped whole
  const sets: number[] = [];
  let off = V9_HEADER;
  while (b.length - off >= 4) {
    const len = b.readUInt16BE(off + 2);
    if (len < 4) return `flowset at byte ${off}: length ${len} is less than 4`;
    if (off + len > b.length) return `flowset at byte ${off}: length ${len} runs past the end of the datagram (${b.length} bytes)`;
    sets.push(off);
    off += len;
  }
  if (sets.length === 0) return 'no flowsets';
  const dom = pc.ex.domain(hdr.domain);
  if (!dom) return `source id ${hdr.domain} ignored: ${LIMITS.domains} source ids already kept for this exporter`;
  for (const s of sets) {
    const id = b.readUInt16BE(s);
    const end = s + b.readUInt16BE(s + 2);
    if (id === 0) templateSet(b, s + 4, end, pc, dom, hdr);
    else if (id === 1) optionsSet(b, s + 4, end, pc, dom, hdr);
    else if (id < 256) pc.fail(`flowset id ${id} is reserved`);
    else {
      const t = dom.templates.get(id);
      if (t) decodeDataSet(pc, dom, hdr, t, b, s + 4, end);
      else holdDataSet(pc, hdr, id, b, s + 4, end);
    }
  }
  return undefined;
}

function templateSet(b: Buffer, start: number, end: number, pc: PacketContext, dom: DomainState, hdr: HeaderInfo): void {
  let o = start;
  while (end - o >= 4) {
    const id = b.readUInt16BE(o);
    const count = b.readUInt16BE(o + 2);
    o += 4;
    if (count === 0) {
      if (id === 0) return; // padding
      pc.fail(`template ${id} has no fields`);
      return;
    }
    if (o + count * 4 > end) {
      pc.fail(`template ${id}: ${count} fields run past the end of the flowset`);
      return;
    }
    const fields: FieldSpec[] = [];
    let bad = false;
    for (let k = 0; k < count; k++, o += 4) {
      const len = b.readUInt16BE(o + 2);
      if (len === VARIABLE) bad = true; // v9 has no variable-length fields
      fields.push({ ie: b.readUInt16BE(o), pen: 0, len });
    }
    if (bad) pc.fail(`template ${id}: a field of length 65535 (v9 has no variable-length fields)`);
    else defineTemplate(pc, dom, hdr, id, fields, false);
  }
}

function optionsSet(b: Buffer, start: number, end: number, pc: PacketContext, dom: DomainState, hdr: HeaderInfo): void {
  let o = start;
  while (end - o >= 6) {
    const id = b.readUInt16BE(o);
    const scopeLen = b.readUInt16BE(o + 2);
    const optLen = b.readUInt16BE(o + 4);
    o += 6;
    if (id === 0 && scopeLen === 0 && optLen === 0) return; // padding
    if (scopeLen % 4 || optLen % 4 || scopeLen + optLen === 0) {
      pc.fail(`options template ${id}: scope length ${scopeLen} and option length ${optLen} are not whole fields`);
      return;
    }
    if (o + scopeLen + optLen > end) {
      pc.fail(`options template ${id}: fields run past the end of the flowset`);
      return;
    }
    const fields: FieldSpec[] = [];
    const scopeEnd = o + scopeLen;
    const fieldsEnd = scopeEnd + optLen;
    let bad = false;
    for (; o < fieldsEnd; o += 4) {
      const len = b.readUInt16BE(o + 2);
      if (len === VARIABLE) bad = true;
      fields.push({ ie: b.readUInt16BE(o), pen: 0, len, scope: o < scopeEnd });
    }
    if (bad) pc.fail(`options template ${id}: a field of length 65535 (v9 has no variable-length fields)`);
    else defineTemplate(pc, dom, hdr, id, fields, true);
  }
}
