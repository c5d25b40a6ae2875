// pcapng captures: several sections (each with its own byte order) and interfaces (each with
// its own link type, time resolution and offset); enhanced, simple and obsolete packet blocks.
// A block whose length cannot be right is reported and the reader searches forward for the
// next block that is consistent (known type, sane length, trailing length equal).
import { knownLinktype } from '../packet/link.js';
import { meterCapture, meterCaptureText, warmAhead, type CaptureParser, type DamageReport, type PacketSink } from './capture.js';
import type { FormatReader } from './types.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const NRB = 4;
const ISB = 5;
const EPB = 6;
const DSB = 10;
const BYTE_ORDER = 0x1a2b3c4d;
/** the largest block accepted (Wireshark's limit) */
const MAX_BLOCK = 16 << 20;
const MAX_INTERFACES = 65_536;

interface Iface {
  linktype: number;
  snaplen: number;
  /** time stamp units per second */
  units: number;
  /** seconds added to every time stamp */
  offsetSec: number;
}

function sniffPcapng(h: Uint8Array): boolean {
  if (h.length < 12) return false;
  if (h[0] !== 0x0a || h[1] !== 0x0d || h[2] !== 0x0d || h[3] !== 0x0a) return false;
  const le = h[8] === 0x4d && h[9] === 0x3c && h[10] === 0x2b && h[11] === 0x1a;
  const be = h[8] === 0x1a && h[9] === 0x2b && h[10] === 0x3c && h[11] === 0x4d;
  return le || be;
}

function isKnownBlock(t: number): boolean {
  return t === SHB || t === IDB || t === OPB || t === SPB || t === NRB || t === ISB || t === EPB || t === DSB || t === 7 || t === 8 || t === 9 || t === 0xbad || t === 0x40000bad;
}

export class PcapngParser implements CaptureParser {
  packets = 0;
  private le = true;
  private started = false;
  private ifaces: Iface[] = [];
  private lastTs = 0;
  private resyncing = false;
  /** what warm() read (kept so that its loads are not optimised away) */
  warmed = 0;
  private warnedLinktypes = new Set<number>();

  constructor(
    private readonly meter: PacketSink,
    private readonly damage: DamageReport,
  ) {}

  private u32(b: Uint8Array, o: number): number {
    return this.le ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0 : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  private u16(b: Uint8Array, o: number): number {
    return this.le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
  }

  feed(b: Uint8Array, start: number, end: number, base: number, eof: boolean): number {
    let p = start;
    /** bytes from `warmTo` on are not yet warmed (see warm()) */
    let warmTo = p;
    for (;;) {
      warmTo = warmAhead(this, b, p, warmTo, end);
      if (this.resyncing) {
        const q = this.resync(b, p, end, eof);
        if (q < 0) return eof ? end : -q - 1;
        p = q;
        this.resyncing = false;
      }
      if (end - p < 12) break;
      let type = this.u32(b, p);
      if (type === SHB) {
        // the byte order of a section is set by its header block
        const bo = b[p + 8] | (b[p + 9] << 8) | (b[p + 10] << 16) | (b[p + 11] << 24);
        if (bo >>> 0 === BYTE_ORDER) this.le = true;
        else if (((b[p + 8] << 24) | (b[p + 9] << 16) | (b[p + 10] << 8) | b[p + 11]) >>> 0 === BYTE_ORDER) this.le = false;
        else {
          this.damage.report(this.packets + 1, base + p, 'section header with a bad byte-order magic: skipping to the next consistent block');
          this.resyncing = true;
          p += 1;
          continue;
        }
        type = SHB;
      } else if (!this.started) {
        this.damage.report(1, base + p, 'not a pcapng file (no section header block)');
        return end;
      }
      const len = this.u32(b, p + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) {
        this.damage.report(this.packets + 1, base + p, `bogus block length ${len}: skipping to the next consistent block`);
        this.resyncing = true;
        p += 1;
        continue;
      }
      if (end - p < len) break;
      if (this.u32(b, p + len - 4) !== len) {
        this.damage.report(this.packets + 1, base + p, `block length ${len} does not match its trailing copy: skipping to the next consistent block`);
        this.resyncing = true;
        p += 1;
        continue;
      }
      this.block(type, b, p, len, base);
      p += len;
    }
    if (eof && p < end) {
      this.damage.report(this.packets + 1, base + p, end - p < 12 ? `truncated file: it ends ${end - p} bytes into a block header` : `truncated block: the file ends after ${end - p} of its ${this.u32(b, p + 4)} bytes`);
      return end;
    }
    return p;
  }

  private block(type: number, b: Uint8Array, p: number, len: number, base: number): void {
    const body = p + 8;
    const bodyEnd = p + len - 4;
    switch (type) {
      case SHB:
        this.started = true;
        this.ifaces = [];
        return;
      case IDB: {
        if (bodyEnd - body < 8) {
          this.damage.report(this.packets + 1, base + p, 'interface description block too short');
          return;
        }
        if (this.ifaces.length >= MAX_INTERFACES) return;
        const iface: Iface = { linktype: this.u16(b, body), snaplen: this.u32(b, body + 4), units: 1e6, offsetSec: 0 };
        this.options(b, body + 8, bodyEnd, iface);
        this.ifaces.push(iface);
        if (!knownLinktype(iface.linktype) && !this.warnedLinktypes.has(iface.linktype)) {
          this.warnedLinktypes.add(iface.linktype);
          this.damage.report(this.packets + 1, base + p, `link type ${iface.linktype} is not decoded: its packets make no flows`);
        }
        return;
      }
      case EPB:
      case OPB: {
        const index = this.packets + 1;
        if (bodyEnd - body < 20) {
          this.damage.report(index, base + p, 'packet block too short');
          this.packets++;
          return;
        }
        const ifid = type === EPB ? this.u32(b, body) : this.u16(b, body);
        const hi = this.u32(b, body + 4);
        const lo = this.u32(b, body + 8);
        const caplen = this.u32(b, body + 12);
        this.packets++;
        const iface = this.ifaces[ifid];
        if (!iface) {
          this.damage.report(index, base + p, `packet of interface ${ifid}, which the section does not describe`);
          return;
        }
        if (caplen > bodyEnd - (body + 20)) {
          this.damage.report(index, base + p, `bogus captured length ${caplen} (the block holds ${bodyEnd - body - 20})`);
          return;
        }
        const ts = this.meter.relTime(((hi * 4294967296 + lo) / iface.units + iface.offsetSec) * 1000);
        this.lastTs = ts;
        this.meter.packet(iface.linktype, b, body + 20, caplen, ts, index);
        return;
      }
      case SPB: {
        const index = ++this.packets;
        const iface = this.ifaces[0];
        if (!iface || bodyEnd - body < 4) {
          this.damage.report(index, base + p, iface ? 'packet block too short' : 'simple packet block before any interface');
          return;
        }
        const orig = this.u32(b, body);
        let caplen = Math.min(orig, bodyEnd - body - 4);
        if (iface.snaplen > 0 && caplen > iface.snaplen) caplen = iface.snaplen;
        // no time stamp of its own: the time of the packet before
        this.meter.packet(iface.linktype, b, body + 4, caplen, this.lastTs, index);
        return;
      }
    }
  }

  /** Interface options: if_tsresol (9) and if_tsoffset (14). */
  private options(b: Uint8Array, q: number, end: number, iface: Iface): void {
    while (end - q >= 4) {
      const code = this.u16(b, q);
      const len = this.u16(b, q + 2);
      const v = q + 4;
      if (code === 0 || v + len > end) return;
      if (code === 9 && len >= 1) {
        const r = b[v];
        const exp = r & 0x7f;
        if (exp <= 63) iface.units = r & 0x80 ? 2 ** exp : 10 ** exp;
      } else if (code === 14 && len >= 8) {
        const hi = this.u32(b, this.le ? v + 4 : v);
        const lo = this.u32(b, this.le ? v : v + 4);
        iface.offsetSec = (hi | 0) * 4294967296 + lo;
      }
      q = v + ((len + 3) & ~3);
    }
  }

  /** A consistent block at q: known type, sane length, trailing length equal (-1: need more bytes). */
  private consistent(b: Uint8Array, q: number, end: number): number {
    if (end - q < 12) return -1;
    const t = this.u32(b, q);
    if (t === SHB) return sniffPcapng(b.subarray(q, q + 12)) ? 1 : 0;
    if (!isKnownBlock(t)) return 0;
    const len = this.u32(b, q + 4);
    if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) return 0;
    if (end - q < len) return -1;
    return this.u32(b, q + len - 4) === len ? 1 : 0;
  }

  private resync(b: Uint8Array, p: number, end: number, eof: boolean): number {
    for (let q = p; q < end; q++) {
      const r = this.consistent(b, q, end);
      if (r === 1) return q;
      if (r === -1) {
        if (eof) continue;
        return -q - 1;
      }
    }
    return -end - 1;
  }
}

export const pcapngReader: FormatReader = {
  name: 'pcapng',
  describe: 'pcapng capture (several sections and interfaces; EPB, SPB, OPB)',
  sniff: sniffPcapng,
  read: (input, ctx) => meterCapture(input, ctx, (meter, damage) => new PcapngParser(meter, damage)),
  readText: (input, ctx) => meterCaptureText(input, ctx, (meter, damage) => new PcapngParser(meter, damage)),
};
