// Input formats of `fir ingest`, in sniffing order (the most specific magic first).
import type { FormatReader } from './types.js';
import { pcapReader } from './pcap.js';
import { pcapngReader } from './pcapng.js';
import { netflowCapture } from './netflow/pcap-export.js';

export const formats: FormatReader[] = [
  pcapReader,
  pcapngReader,
  netflowCapture,
];

export function formatByName(name: string): FormatReader | undefined {
  return formats.find((f) => f.name === name);
}
