// IPFIX (RFC 7011): a 16-byte message header, then sets: 2 templates, 3 options templates,
// >= 256 data. Variable-length elements, enterprise elements (skipped by length unless they are
// RFC 5103 reverse elements), and template withdrawals (field count 0).
import { decodeDataSet, defineTemplate, holdDataSet, type FieldSpec, type PacketContext } from './sets.js';
import { LIMITS, type DomainState, type HeaderInfo } from './templates.js';

export const IPFIX_HEADER = 16;

/** Decode an IPFIX message into pc.raws; returns a reason when the message is malformed. */
export function decodeIpfix(b: Buffer, pc: PacketContext): string | undefined {
  if (b.length < IPFIX_HEADER) return `IPFIX header needs ${IPFIX_HEADER} bytes, datagram has ${b.length}`;
  const length = b.readUInt16BE(2);
  if (length < IPFIX_HEADER) return `IPFIX message length ${length} is shorter than its header`;
  if (length > b.length) return `IPFIX message length ${length}, datagram has ${b.length} bytes`;
  const hdr: HeaderInfo = {
    version: 10,
    exportMs: b.readUInt32BE(4) * 1000,
    sysUptime: 0,
    seq: b.readUInt32BE(8),
    domain: b.readUInt32BE(12),
    packetNo: pc.packetNo,
  };
  const sets: number[] = [];
  let off = IPFIX_HEADER;
  while (off < length) {
    if (length - off < 4) return `set at byte ${off}: ${length - off} bytes left, a set header needs 4`;
    const len = b.readUInt16BE(off + 2);
    if (len < 4) return `set at byte ${off}: length ${len} is less than 4`;
    if (off + len > length) return `set at byte ${off}: length ${len} runs past the end of the message (${length} bytes)`;
    sets.push(off);
    off += len;
  }
  const dom = pc.ex.domain(hdr.domain);
  if (!dom) return `observation domain ${hdr.domain} ignored: ${LIMITS.domains} domains already kept for this exporter`;
  for (const s of sets) {
    const id = b.readUInt16BE(s);
    const end = s + b.readUInt16BE(s + 2);
    if (id === 2 || id === 3) templateSet(b, s + 4, end, pc, dom, hdr, id === 3);
    else if (id < 256) pc.fail(`set id ${id} is reserved`);
    else {
      const t = dom.templates.get(id);
      if (t) decodeDataSet(pc, dom, hdr, t, b, s + 4, end);
      else holdDataSet(pc, hdr, id, b, s + 4, end);
    }
  }
  return undefined;
}

function templateSet(b: Buffer, start: number, end: number, pc: PacketContext, dom: DomainState, hdr: HeaderInfo, options: boolean): void {
  let o = start;
  while (end - o >= 4) {
    const id = b.readUInt16BE(o);
    const count = b.readUInt16BE(o + 2);
    o += 4;
    if (count === 0) {
      if (id === 0) return; // padding
      withdraw(dom, id, options, pc);
      continue;
    }
    let scopeCount = 0;
    if (options) {
      if (end - o < 2) {
        pc.fail(`options template ${id}: scope field count runs past the end of the set`);
        return;
      }
      scopeCount = b.readUInt16BE(o);
      o += 2;
      if (scopeCount === 0 || scopeCount > count) {
        pc.fail(`options template ${id}: scope field count ${scopeCount} of ${count} fields`);
        return;
      }
    }
    const fields: FieldSpec[] = [];
    for (let k = 0; k < count; k++) {
      if (end - o < 4) {
        pc.fail(`template ${id}: ${count} fields run past the end of the set`);
        return;
      }
      let ie = b.readUInt16BE(o);
      const len = b.readUInt16BE(o + 2);
      o += 4;
      let pen = 0;
      if (ie & 0x8000) {
        if (end - o < 4) {
          pc.fail(`template ${id}: enterprise number runs past the end of the set`);
          return;
        }
        pen = b.readUInt32BE(o);
        o += 4;
        ie &= 0x7fff;
      }
      fields.push({ ie, pen, len, scope: k < scopeCount });
    }
    defineTemplate(pc, dom, hdr, id, fields, options);
  }
}

/** RFC 7011 8.1: a template record with no fields withdraws the template (id 2/3: all of that kind). */
function withdraw(dom: DomainState, id: number, options: boolean, pc: PacketContext): void {
  if (id === 2 || id === 3) {
    for (const [tid, t] of dom.templates) if (t.options === (id === 3)) dom.templates.delete(tid);
    return;
  }
  if (id < 256) {
    pc.fail(`withdrawal of template id ${id}, which is below 256`);
    return;
  }
  const t = dom.templates.get(id);
  if (t && t.options === options) dom.templates.delete(id);
}
