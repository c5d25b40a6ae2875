// What NetFlow v9 and IPFIX share: defining and withdrawing templates, decoding a data set by
// its template (or holding it until the template arrives), and turning a record's exporter
// times into epoch milliseconds.
import { decodeRecord, makeTemplate, type RawRecord, type Template } from './fields.js';
import { LIMITS, type DomainState, type ExporterState, type HeaderInfo } from './templates.js';

/** The decoding of one export packet: where errors go and where records collect. */
export interface PacketContext {
  ex: ExporterState;
  packetNo: number;
  /** records decoded so far, resolved into flows when the whole packet is read */
  raws: { r: RawRecord; hdr: HeaderInfo; dom: DomainState; index: number }[];
  fail(reason: string): void;
}

export interface FieldSpec {
  ie: number;
  pen: number;
  len: number;
  scope?: boolean;
}

/** Define (or refresh) a template; then decode data that waited for it. */
export function defineTemplate(pc: PacketContext, dom: DomainState, hdr: HeaderInfo, id: number, fields: FieldSpec[], options: boolean): void {
  if (id < 256) {
    pc.fail(`template id ${id} is below 256`);
    return;
  }
  const t = makeTemplate(id, fields, options);
  if (typeof t === 'string') {
    pc.fail(t);
    dom.templates.delete(id);
    return;
  }
  const old = dom.templates.get(id);
  if (!old && dom.templates.size >= LIMITS.templates) {
    pc.fail(`template ${id} ignored: ${LIMITS.templates} templates already kept for domain ${hdr.domain}`);
    return;
  }
  if (!old || old.sig !== t.sig) dom.templates.set(id, t);
  for (const h of pc.ex.release(hdr.domain, id)) decodeDataSet(pc, dom, h.hdr, dom.templates.get(id)!, h.data, 0, h.data.length);
}

/** Decode the records of a data set body (`start`..`end`, after the set header). */
export function decodeDataSet(pc: PacketContext, dom: DomainState, hdr: HeaderInfo, t: Template, b: Buffer, start: number, end: number): void {
  let off = start;
  let index = 0;
  while (end - off >= t.minLen) {
    const r: RawRecord = { proto: 0 };
    const next = decodeRecord(b, off, end, t, r);
    if (next < 0) {
      pc.fail(`template ${t.id}: record ${index + 1} runs past the end of its set`);
      return;
    }
    off = next;
    index++;
    if (t.options) {
      if (r.sysInitMs !== undefined) dom.sysInitMs = r.sysInitMs;
      continue;
    }
    pc.raws.push({ r, hdr, dom, index: pc.raws.length });
  }
  // fewer bytes than a record are padding (RFC 7011 3.3.1); more than 3 bytes of it is suspicious but allowed
}

/** A data set whose template is not known (yet): hold it, bounded. */
export function holdDataSet(pc: PacketContext, hdr: HeaderInfo, templateId: number, b: Buffer, start: number, end: number): void {
  const dropped = pc.ex.hold({ templateId, data: Buffer.from(b.subarray(start, end)), hdr });
  for (const d of dropped) {
    pc.fail(`data for template ${d.templateId} (packet ${d.hdr.packetNo}) dropped: its template did not arrive within ${LIMITS.heldSets} held sets / ${LIMITS.heldBytes} bytes`);
  }
}
