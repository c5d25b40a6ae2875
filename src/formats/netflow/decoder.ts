// One entry point for export datagrams of any version: NetFlow v5, v9 and IPFIX, with the
// state (templates, held data, counters) kept per exporter. A malformed datagram is counted,
// reported through `onError` and skipped; nothing thrown by a decoder escapes.
import { zeekState } from './biflow.js';
import type { RawRecord } from './fields.js';
import { decodeIpfix } from './ipfix.js';
import { badTimes, makeFlow, type FlowFacts } from './normalize.js';
import type { PacketContext } from './sets.js';
import { ExporterTable, type DomainState, type ExporterState, type HeaderInfo } from './templates.js';
import { decodeV5 } from './v5.js';
import { decodeV9 } from './v9.js';
import type { Flow } from '../../record.js';

/** A decoded flow and the key that makes its id stable (exporter, domain, sequence, index). */
export interface ExportedFlow extends FlowFacts {
  key: string;
}

export type ErrorSink = (exporter: string, packetNo: number, reason: string) => void;

export class NetflowDecoder {
  readonly exporters = new ExporterTable();
  constructor(private readonly onError: ErrorSink) {}

  /** The flows of one datagram from `exporter` (its address); `packetNo` defaults to the exporter's count. */
  decode(b: Buffer, exporter: string, packetNo?: number): ExportedFlow[] {
    const ex = this.exporters.get(exporter);
    ex.packets++;
    const pc: PacketContext = {
      ex,
      packetNo: packetNo ?? ex.packets,
      raws: [],
      fail: (reason) => {
        ex.errors++;
        this.onError(exporter, pc.packetNo, reason);
      },
    };
    const out: ExportedFlow[] = [];
    let reason: string | undefined;
    try {
      if (b.length < 2) reason = `datagram of ${b.length} bytes is too short for a header`;
      else {
        const version = b.readUInt16BE(0);
        if (version === 5) {
          const v5: (FlowFacts & { seq: number; domain: number; index: number })[] = [];
          reason = decodeV5(b, v5);
          let bad = 0;
          for (const f of v5) {
            if (badTimes(f.startMs, f.endMs)) {
              bad++;
              continue;
            }
            const e = f as unknown as ExportedFlow;
            e.key = `${exporter}/${f.domain}/${f.seq}/${f.index}`;
            out.push(e);
          }
          if (bad && reason === undefined) pc.fail(`${bad} records skipped: times out of range`);
        } else if (version === 9) reason = decodeV9(b, pc);
        else if (version === 10) reason = decodeIpfix(b, pc);
        else reason = `version ${version} is not NetFlow v5, v9 or IPFIX`;
      }
      if (reason === undefined) resolve(pc, exporter, out);
    } catch (err) {
      // a check we missed must not take the collector down: count it like any malformed packet
      reason = `undecodable (${(err as Error).message})`;
      out.length = 0;
    }
    if (reason !== undefined) pc.fail(reason);
    ex.flows += out.length;
    return out;
  }

  stats(): ExporterState[] {
    return this.exporters.all();
  }
}

/** Records of the packet (and of held sets released by it) into flows, with absolute times. */
function resolve(pc: PacketContext, exporter: string, out: ExportedFlow[]): void {
  let noInit = 0;
  let badTime: string | undefined;
  let badTimeCount = 0;
  for (const { r, hdr, dom, index } of pc.raws) {
    if (r.src === undefined || r.dst === undefined) continue; // not a flow record (e.g. interface counters)
    const f = facts(r, hdr, dom);
    if (f === undefined) {
      noInit++;
      continue;
    }
    const why = badTimes(f.startMs, f.endMs);
    if (why) {
      badTime ??= why;
      badTimeCount++;
      continue;
    }
    f.key = `${exporter}/${hdr.domain}/${hdr.seq}/${index}`;
    out.push(f);
  }
  if (badTimeCount) pc.fail(`${badTimeCount} records skipped: ${badTime}`);
  if (noInit) pc.fail(`${noInit} records with flowStartSysUpTime skipped: no systemInitTimeMilliseconds received yet for domain ${pc.raws[0].hdr.domain}`);
}

function timeOf(abs: number | undefined, up: number | undefined, deltaUs: number | undefined, hdr: HeaderInfo, dom: DomainState): number | undefined | null {
  if (abs !== undefined) return abs;
  if (up !== undefined) {
    if (hdr.version === 9) return hdr.exportMs + ((up - hdr.sysUptime) | 0);
    return dom.sysInitMs === undefined ? null : dom.sysInitMs + up;
  }
  if (deltaUs !== undefined) return hdr.exportMs - Math.floor(deltaUs / 1000);
  return undefined;
}

function facts(r: RawRecord, hdr: HeaderInfo, dom: DomainState): ExportedFlow | undefined {
  let start = timeOf(r.startMs, r.firstUp, r.startDus, hdr, dom);
  let end = timeOf(r.endMs, r.lastUp, r.endDus, hdr, dom);
  if (start === null || end === null) return undefined;
  // a record without times takes the export time
  if (start === undefined) start = end ?? hdr.exportMs;
  if (end === undefined) end = start;
  const f = {
    startMs: start,
    endMs: end,
    proto: r.proto,
    src: r.src!,
    dst: r.dst!,
    pkts: r.pkts ?? r.pktsTotal ?? 0,
    bytes: r.bytes ?? r.bytesTotal ?? 0,
    key: '',
  } as ExportedFlow;
  if (r.proto === 1 || r.proto === 58) {
    if (r.icmpType !== undefined || r.icmpCode !== undefined) {
      f.icmpType = r.icmpType;
      f.icmpCode = r.icmpCode;
    } else {
      // icmpTypeCode, or the Cisco convention of type and code in the destination port
      const tc = r.icmpTC ?? r.dport;
      if (tc !== undefined) {
        f.icmpType = tc >> 8;
        f.icmpCode = tc & 255;
      }
    }
  } else {
    f.sport = r.sport;
    f.dport = r.dport;
  }
  if (r.flags !== undefined) f.flags = r.flags;
  if (r.rpkts !== undefined || r.rbytes !== undefined) {
    // an RFC 5103 biflow record: the exporter saw both directions
    f.rpkts = r.rpkts ?? 0;
    f.rbytes = r.rbytes ?? 0;
    if (r.rflags !== undefined) f.rflags = r.rflags;
    const st = zeekState(r.proto, f.flags ?? 0, f.rflags ?? 0, f.rpkts);
    if (st) f.state = st;
  }
  if (r.smac !== undefined) f.smac = r.smac;
  if (r.dmac !== undefined) f.dmac = r.dmac;
  if (r.vlan !== undefined) f.vlan = r.vlan;
  return f;
}

/** The Flow record of a decoded flow. */
export function exportedToFlow(f: ExportedFlow, origin: string): Flow {
  return makeFlow(f, origin, f.key);
}
