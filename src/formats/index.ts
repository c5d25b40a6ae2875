// Input formats of `fir ingest`, in sniffing order (the most specific magic first).
import type { FormatReader } from './types.js';

export const formats: FormatReader[] = [
];

export function formatByName(name: string): FormatReader | undefined {
  return formats.find((f) => f.name === name);
}
