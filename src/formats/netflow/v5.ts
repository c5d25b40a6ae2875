// NetFlow v5: a 24-byte header and up to 30 fixed 48-byte records. Times are sysUptime
// milliseconds, made absolute with the header's unix_secs/unix_nsecs and sysUptime.
import { formatIPv4 } from '../../net.js';
import type { FlowFacts } from './normalize.js';

export const V5_HEADER = 24;
export const V5_RECORD = 48;
export const V5_MAX_COUNT = 30;

/** Decode a v5 datagram; flows are pushed to `out`; returns a reason when the packet is malformed. */
export function decodeV5(b: Buffer, out: (FlowFacts & { seq: number; domain: number; index: number })[]): string | undefined {
  if (b.length < V5_HEADER) return `v5 header needs ${V5_HEADER} bytes, datagram has ${b.length}`;
  const count = b.readUInt16BE(2);
  if (count === 0 || count > V5_MAX_COUNT) return `v5 record count ${count} (1 to ${V5_MAX_COUNT} allowed)`;
  const need = V5_HEADER + count * V5_RECORD;
  if (b.length < need) return `v5 header says ${count} records (${need} bytes), datagram has ${b.length}`;
  const sysUptime = b.readUInt32BE(4);
  const exportMs = b.readUInt32BE(8) * 1000 + Math.floor(b.readUInt32BE(12) / 1e6);
  const seq = b.readUInt32BE(16);
  // engine type and id identify the flow cache of the exporter, like a v9 source id
  const domain = (b[20] << 8) | b[21];
  for (let i = 0; i < count; i++) {
    const o = V5_HEADER + i * V5_RECORD;
    const first = b.readUInt32BE(o + 24);
    const last = b.readUInt32BE(o + 28);
    const proto = b[o + 38];
    const f: FlowFacts & { seq: number; domain: number; index: number } = {
      startMs: exportMs + ((first - sysUptime) | 0),
      endMs: exportMs + ((last - sysUptime) | 0),
      proto,
      src: formatIPv4(b.readUInt32BE(o)),
      dst: formatIPv4(b.readUInt32BE(o + 4)),
      pkts: b.readUInt32BE(o + 16),
      bytes: b.readUInt32BE(o + 20),
      seq,
      domain,
      index: i,
    };
    const sport = b.readUInt16BE(o + 32);
    const dport = b.readUInt16BE(o + 34);
    if (proto === 1 || proto === 58) {
      // Cisco convention: ICMP type and code in the destination port
      f.icmpType = dport >> 8;
      f.icmpCode = dport & 255;
    } else {
      f.sport = sport;
      f.dport = dport;
    }
    if (proto === 6) f.flags = b[o + 37];
    out.push(f);
  }
  return undefined;
}
