// Input formats of `fir ingest`, in sniffing order (the most specific magic first).
import type { FormatReader } from './types.js';
import { pcapReader } from './pcap.js';

export const formats: FormatReader[] = [
  pcapReader,
];

export function formatByName(name: string): FormatReader | undefined {
  return formats.find((f) => f.name === name);
}
