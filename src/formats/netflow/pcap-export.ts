// `--format netflow`: a capture (pcap or pcapng) of NetFlow/IPFIX export datagrams, decoded as
// the live collector would. fir's capture readers feed a flow meter and expose no packet
// iteration, so this file carries its own small pcap/pcapng walker and Ethernet/IP/UDP
// decoding: only what finding export datagrams needs.
import type { Readable } from 'node:stream';
import { formatIPv4, formatIPv6Bytes } from '../../net.js';
import type { Flow } from '../../record.js';
import type { FormatReader, ReadContext } from '../types.js';
import { pairBatches } from './biflow.js';
import { NetflowDecoder, exportedToFlow } from './decoder.js';

const MAX_RECORD = 256 * 1024;

/** One UDP datagram found in the capture. */
export interface Datagram {
  packetNo: number;
  src: string;
  payload: Buffer;
}

/** Walks pcap or pcapng records in a stream and hands out the UDP datagrams. */
export class ExportCaptureWalker {
  packets = 0;
  private kind: 'pcap' | 'pcapng' | undefined;
  private le = true;
  private linktype = 1;
  /** pcapng: link type per interface */
  private ifaces: number[] = [];
  notUdp = 0;

  constructor(private readonly report: (packetNo: number, reason: string) => void) {}

  /** Parse what is complete in b[start, end); returns where parsing stopped. */
  feed(b: Buffer, start: number, end: number, out: Datagram[]): number {
    let p = start;
    if (!this.kind) {
      if (end - p < 24) return p;
      const m = b.readUInt32LE(p);
      if (m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xd4c3b2a1 || m === 0x4d3cb2a1) {
        this.kind = 'pcap';
        this.le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
        this.linktype = (this.le ? b.readUInt32LE(p + 20) : b.readUInt32BE(p + 20)) & 0xffff;
        p += 24;
      } else if (m === 0x0a0d0d0a) {
        this.kind = 'pcapng';
      } else {
        this.report(0, 'not a pcap or pcapng capture (bad magic number)');
        return -1;
      }
    }
    if (this.kind === 'pcap') {
      for (;;) {
        if (end - p < 16) return p;
        const incl = this.le ? b.readUInt32LE(p + 8) : b.readUInt32BE(p + 8);
        if (incl > MAX_RECORD) {
          this.report(this.packets + 1, `bogus record length ${incl}: the rest of the capture is skipped`);
          return -1;
        }
        if (end - p < 16 + incl) return p;
        this.packets++;
        this.frame(this.linktype, b, p + 16, p + 16 + incl, out);
        p += 16 + incl;
      }
    }
    for (;;) {
      if (end - p < 12) return p;
      let type = b.readUInt32LE(p);
      if (type === 0x0a0d0d0a) {
        const bom = b.readUInt32LE(p + 8);
        if (bom === 0x1a2b3c4d) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          this.report(this.packets + 1, 'pcapng section header with a bad byte-order magic');
          return -1;
        }
        this.ifaces = [];
      }
      const u32 = (o: number) => (this.le ? b.readUInt32LE(o) : b.readUInt32BE(o));
      type = u32(p);
      const len = u32(p + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD + 64) {
        this.report(this.packets + 1, `pcapng block of length ${len}: the rest of the capture is skipped`);
        return -1;
      }
      if (end - p < len) return p;
      if (type === 1 && len >= 20) this.ifaces.push(this.le ? b.readUInt16LE(p + 8) : b.readUInt16BE(p + 8));
      else if (type === 6 && len >= 32) {
        this.packets++;
        const iface = u32(p + 8);
        const cap = u32(p + 20);
        if (28 + cap > len) this.report(this.packets, `captured length ${cap} runs past its block`);
        else this.frame(this.ifaces[iface] ?? -1, b, p + 28, p + 28 + cap, out);
      } else if (type === 3 && len >= 16) {
        this.packets++;
        this.frame(this.ifaces[0] ?? -1, b, p + 12, p + len - 4, out);
      }
      p += len;
    }
  }

  private frame(lt: number, b: Buffer, off: number, end: number, out: Datagram[]): void {
    let o = off;
    let ethType = -1;
    switch (lt) {
      case 1: // Ethernet, with up to two VLAN tags
        if (end - o < 14) return;
        ethType = b.readUInt16BE(o + 12);
        o += 14;
        for (let i = 0; i < 2 && (ethType === 0x8100 || ethType === 0x88a8); i++) {
          if (end - o < 4) return;
          ethType = b.readUInt16BE(o + 2);
          o += 4;
        }
        break;
      case 0: case 108: { // BSD loopback: address family in host order
        if (end - o < 4) return;
        const fam = lt === 0 ? (b.readUInt32LE(o) < 256 ? b.readUInt32LE(o) : b.readUInt32BE(o)) : b.readUInt32BE(o);
        ethType = fam === 2 ? 0x0800 : fam === 24 || fam === 28 || fam === 30 || fam === 10 ? 0x86dd : -1;
        o += 4;
        break;
      }
      case 101: case 12: case 14: // raw IP
        if (end - o < 1) return;
        ethType = b[o] >> 4 === 6 ? 0x86dd : 0x0800;
        break;
      case 113: // Linux cooked v1
        if (end - o < 16) return;
        ethType = b.readUInt16BE(o + 14);
        o += 16;
        break;
      case 276: // Linux cooked v2
        if (end - o < 20) return;
        ethType = b.readUInt16BE(o);
        o += 20;
        break;
      default:
        return;
    }
    let src: string;
    let l4: number;
    let proto: number;
    if (ethType === 0x0800) {
      if (end - o < 20 || b[o] >> 4 !== 4) return;
      const ihl = (b[o] & 15) * 4;
      if (ihl < 20 || end - o < ihl) return;
      proto = b[o + 9];
      if (proto !== 17) return void this.notUdp++;
      const frag = b.readUInt16BE(o + 6);
      if (frag & 0x3fff) {
        if ((frag & 0x1fff) === 0) this.report(this.packets, 'fragmented export datagram: skipped (fragments are not reassembled)');
        return;
      }
      src = formatIPv4(b.readUInt32BE(o + 12));
      l4 = o + ihl;
    } else if (ethType === 0x86dd) {
      if (end - o < 40) return;
      proto = b[o + 6];
      src = formatIPv6Bytes(b, o + 8);
      l4 = o + 40;
      // hop-by-hop, routing and destination options may precede UDP
      for (let i = 0; i < 4 && (proto === 0 || proto === 43 || proto === 60); i++) {
        if (end - l4 < 8) return;
        proto = b[l4];
        l4 += (b[l4 + 1] + 1) * 8;
      }
      if (proto === 44) {
        this.report(this.packets, 'fragmented export datagram: skipped (fragments are not reassembled)');
        return;
      }
      if (proto !== 17) return void this.notUdp++;
    } else return;
    if (end - l4 < 8) return;
    const udpLen = b.readUInt16BE(l4 + 4);
    if (udpLen < 8) {
      this.report(this.packets, `UDP length ${udpLen} is less than its header`);
      return;
    }
    if (l4 + udpLen > end) {
      this.report(this.packets, `export datagram of ${udpLen - 8} bytes was cut to ${end - l4 - 8} by the capture`);
      return;
    }
    out.push({ packetNo: this.packets, src, payload: b.subarray(l4 + 8, l4 + udpLen) });
  }
}

/** Flows of a capture of export datagrams. */
export async function* readExportCapture(input: Readable, ctx: ReadContext): AsyncGenerator<Flow[]> {
  const decoder = new NetflowDecoder((_exporter, n, reason) => ctx.diag.skip(ctx.source, undefined, `packet ${n}: ${reason}`));
  const walker = new ExportCaptureWalker((n, reason) => ctx.diag.skip(ctx.source, undefined, n ? `packet ${n}: ${reason}` : reason));
  let win: Buffer = Buffer.alloc(0);
  let pos = 0;
  let dead = false;
  let ignored = 0;
  const decodeAll = (dgrams: Datagram[]): Flow[] => {
    const flows: Flow[] = [];
    for (const d of dgrams) {
      const v = d.payload.length >= 2 ? d.payload.readUInt16BE(0) : -1;
      if (v !== 5 && v !== 9 && v !== 10) {
        ignored++;
        continue;
      }
      for (const f of decoder.decode(d.payload, d.src, d.packetNo)) flows.push(exportedToFlow(f, ctx.source));
    }
    return flows;
  };
  async function* batches(): AsyncGenerator<Flow[]> {
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        if (dead) continue;
        win = pos >= win.length ? chunk : Buffer.concat([win.subarray(pos), chunk]);
        const dgrams: Datagram[] = [];
        pos = walker.feed(win, 0, win.length, dgrams);
        if (pos < 0) dead = true;
        const flows = decodeAll(dgrams);
        if (flows.length) yield flows;
      }
    } catch (err) {
      ctx.diag.skip(ctx.source, undefined, `read error: ${(err as Error).message}`);
      return;
    }
    if (!dead && pos < win.length) ctx.diag.skip(ctx.source, undefined, `packet ${walker.packets + 1}: truncated: the capture ends ${win.length - pos} bytes into a record`);
    if (ignored) ctx.diag.warn(`${ignored} UDP datagrams that are not NetFlow v5/v9 or IPFIX were ignored`, ctx.source);
  }
  yield* pairBatches(batches(), ctx.options.biflow === true);
}

export const netflowCapture: FormatReader = {
  name: 'netflow',
  describe: 'a pcap/pcapng capture of NetFlow v5/v9 or IPFIX export datagrams (only with --format netflow)',
  // a capture of export packets looks like any capture: it is chosen by name, never sniffed
  sniff: () => false,
  read: (input, ctx) => readExportCapture(input, ctx),
};
