// Input formats of `fir ingest`, in sniffing order (the most specific magic first). Each
// reader is loaded when a source is in its format: sniffing needs only text-sniff.ts and the
// capture magic numbers here, so reading one format does not load every reader.
import type { FormatReader } from './types.js';
import { sniffArgus, sniffCsv, sniffEve, sniffNfdumpCsv, sniffNfdumpJson, sniffZeek } from './text-sniff.js';

export interface FormatEntry {
  /** the --format name */
  name: string;
  /** true when these first bytes (up to 64 KiB, decompressed) are this format */
  sniff(head: Buffer): boolean;
  /** the reader */
  load(): Promise<FormatReader>;
  /** a text format whose sources worker threads can read chunk by chunk (text-chunks.ts) */
  chunked?: boolean;
}

/** libpcap's magic number, in either byte order (µs, ns, and the modified format's) */
export function sniffPcap(h: Uint8Array): boolean {
  if (h.length < 4) return false;
  const be = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
  const le = ((h[3] << 24) | (h[2] << 16) | (h[1] << 8) | h[0]) >>> 0;
  return [le, be].some((v) => v === 0xa1b2c3d4 || v === 0xa1b23c4d || v === 0xa1b2cd34);
}

/** a pcapng section header block with its byte-order magic */
export function sniffPcapng(h: Uint8Array): boolean {
  if (h.length < 12) return false;
  if (h[0] !== 0x0a || h[1] !== 0x0d || h[2] !== 0x0d || h[3] !== 0x0a) return false;
  const le = h[8] === 0x4d && h[9] === 0x3c && h[10] === 0x2b && h[11] === 0x1a;
  const be = h[8] === 0x1a && h[9] === 0x2b && h[10] === 0x3c && h[11] === 0x4d;
  return le || be;
}

export const formats: FormatEntry[] = [
  { name: 'pcap', sniff: sniffPcap, load: async () => (await import('./pcap.js')).pcapReader },
  { name: 'pcapng', sniff: sniffPcapng, load: async () => (await import('./pcapng.js')).pcapngReader },
  // a capture of export packets looks like any capture: it is chosen by name, never sniffed
  { name: 'netflow', sniff: () => false, load: async () => (await import('./netflow/pcap-export.js')).netflowCapture },
  { name: 'suricata', sniff: sniffEve, load: async () => (await import('./suricata.js')).suricataEve, chunked: true },
  { name: 'zeek', sniff: sniffZeek, load: async () => (await import('./zeek.js')).zeekConn, chunked: true },
  { name: 'nfdump-json', sniff: sniffNfdumpJson, load: async () => (await import('./nfdump.js')).nfdumpJson, chunked: true },
  { name: 'nfdump-csv', sniff: sniffNfdumpCsv, load: async () => (await import('./nfdump.js')).nfdumpCsv, chunked: true },
  { name: 'argus', sniff: sniffArgus, load: async () => (await import('./argus.js')).argusCsv, chunked: true },
  { name: 'csv', sniff: sniffCsv, load: async () => (await import('./csvmap.js')).csvMap, chunked: true },
];

export function formatByName(name: string): FormatEntry | undefined {
  return formats.find((f) => f.name === name);
}
