// Classic libpcap captures: both byte orders, microsecond and nanosecond time stamps, and the
// 24-byte record headers of the "modified" (Kuznetzov) variant. A record whose length field
// cannot be right is reported and the reader searches forward for the next plausible record.
import { knownLinktype } from '../packet/link.js';
import { meterCapture, meterCaptureText, warmAhead, type CaptureParser, type DamageReport, type PacketSink } from './capture.js';
import type { FormatReader } from './types.js';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const MAGIC_MOD = 0xa1b2cd34;
/** the largest record accepted (tcpdump's MAXIMUM_SNAPLEN, more when the header says so) */
const MAX_RECORD = 262_144;
const HARD_MAX_RECORD = 16 << 20;

function magicOf(h: Uint8Array): { le: boolean; ns: boolean; mod: boolean } | undefined {
  if (h.length < 4) return undefined;
  const be = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
  const le = ((h[3] << 24) | (h[2] << 16) | (h[1] << 8) | h[0]) >>> 0;
  for (const [v, isLe] of [[le, true], [be, false]] as const) {
    if (v === MAGIC_US) return { le: isLe, ns: false, mod: false };
    if (v === MAGIC_NS) return { le: isLe, ns: true, mod: false };
    if (v === MAGIC_MOD) return { le: isLe, ns: false, mod: true };
  }
  return undefined;
}

export class PcapParser implements CaptureParser {
  packets = 0;
  private header = false;
  private le = true;
  private hdrLen = 16;
  private units = 1e6;
  private linktype = 1;
  private maxRecord = MAX_RECORD;
  private lastSec = -1;
  private epochSec = -1;
  /** a damaged stretch is being skipped: the damage is reported once */
  private resyncing = false;
  /** what warm() read (kept so that its loads are not optimised away) */
  warmed = 0;

  constructor(
    private readonly meter: PacketSink,
    private readonly damage: DamageReport,
  ) {}

  private u32(b: Uint8Array, o: number): number {
    return this.le ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0 : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  feed(b: Uint8Array, start: number, end: number, base: number, eof: boolean): number {
    let p = start;
    if (!this.header) {
      if (end - p < 24) {
        if (eof) this.damage.report(1, base + p, `truncated file: the 24-byte pcap header is cut after ${end - p} bytes`);
        return eof ? end : p;
      }
      const m = magicOf(b.subarray(p, p + 4));
      if (!m) {
        this.damage.report(1, base + p, 'not a pcap file (bad magic number)');
        return end;
      }
      this.le = m.le;
      this.units = m.ns ? 1e9 : 1e6;
      this.hdrLen = m.mod ? 24 : 16;
      const snaplen = this.u32(b, p + 16);
      if (snaplen > MAX_RECORD) this.maxRecord = Math.min(snaplen, HARD_MAX_RECORD);
      this.linktype = this.u32(b, p + 20) & 0xffff;
      this.header = true;
      p += 24;
      if (!knownLinktype(this.linktype)) {
        this.damage.report(1, base + p, `link type ${this.linktype} is not decoded: its packets make no flows`);
      }
    }
    const hl = this.hdrLen;
    const meter = this.meter;
    const lt = this.linktype;
    const unitsPerMs = this.units / 1000;
    const le = this.le;
    /** bytes from `warmTo` on are not yet warmed */
    let warmTo = p;
    for (;;) {
      warmTo = warmAhead(this, b, p, warmTo, end);
      if (this.resyncing) {
        const q = this.resync(b, p, end, eof);
        if (q < 0) return eof ? end : -q - 1; // keep the bytes from where a record may still start
        p = q;
        this.resyncing = false;
      }
      if (end - p < hl) break;
      let incl: number;
      let sec: number;
      let frac: number;
      if (le) {
        sec = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
        frac = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
        incl = (b[p + 8] | (b[p + 9] << 8) | (b[p + 10] << 16) | (b[p + 11] << 24)) >>> 0;
      } else {
        sec = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
        frac = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
        incl = ((b[p + 8] << 24) | (b[p + 9] << 16) | (b[p + 10] << 8) | b[p + 11]) >>> 0;
      }
      if (incl > this.maxRecord) {
        this.damage.report(this.packets + 1, base + p, `bogus record length ${incl} (at most ${this.maxRecord}): skipping to the next plausible packet`);
        this.resyncing = true;
        p += 1;
        continue;
      }
      if (end - p < hl + incl) break;
      this.packets++;
      this.lastSec = sec;
      // meter time: integer ms after the first packet's second (small integers: no boxing)
      if (this.epochSec < 0) {
        this.epochSec = sec;
        meter.epoch = sec * 1000;
      }
      meter.packet(lt, b, p + hl, incl, (sec - this.epochSec) * 1000 + Math.floor(frac / unitsPerMs), this.packets);
      p += hl + incl;
    }
    if (eof && p < end) {
      const left = end - p;
      if (left < hl) {
        this.damage.report(this.packets + 1, base + p, `truncated file: it ends ${left} bytes into a packet header`);
      } else {
        const incl = this.u32(b, p + 8);
        this.damage.report(this.packets + 1, base + p, `truncated packet: the file ends after ${left - hl} of its ${incl} bytes`);
      }
      return end;
    }
    return p;
  }

  /** Is there a believable record header at q (and a second one after it, or the end)? */
  private plausible(b: Uint8Array, q: number, end: number, eof: boolean, depth: number): number {
    const hl = this.hdrLen;
    if (end - q < hl) return eof && q === end && depth > 0 ? 1 : eof ? 0 : -1;
    const sec = this.u32(b, q);
    const frac = this.u32(b, q + 4);
    const incl = this.u32(b, q + 8);
    const orig = this.u32(b, q + 12);
    if (incl > this.maxRecord || incl === 0 || orig < incl || orig > HARD_MAX_RECORD || frac >= this.units) return 0;
    if (this.lastSec >= 0 && (sec + 86_400 < this.lastSec || sec > this.lastSec + 366 * 86_400)) return 0;
    if (depth > 0) return 1;
    return this.plausible(b, q + hl + incl, end, eof, 1);
  }

  /**
   * The offset of the next plausible record at or after p; when none is found yet, -(q+1)
   * where q is the first offset that more bytes could still make plausible.
   */
  private resync(b: Uint8Array, p: number, end: number, eof: boolean): number {
    for (let q = p; q < end; q++) {
      const r = this.plausible(b, q, end, eof, 0);
      if (r === 1) return q;
      if (r === -1) return -q - 1;
    }
    return -end - 1;
  }
}

export const pcapReader: FormatReader = {
  name: 'pcap',
  describe: 'libpcap capture (either byte order, µs or ns time stamps)',
  sniff: (head) => magicOf(head) !== undefined,
  read: (input, ctx) => meterCapture(input, ctx, (meter, damage) => new PcapParser(meter, damage)),
  readText: (input, ctx) => meterCaptureText(input, ctx, (meter, damage) => new PcapParser(meter, damage)),
};
