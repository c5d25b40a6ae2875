// The export formats of `fir export --format F`. Each writer is loaded only when its format
// is used. Adding a format is one file in src/export/ and one line here.
import type { ExportEntry } from './types.js';

export const writers: ExportEntry[] = [
  { name: 'json', describe: 'one JSON array of the records, streamed', load: () => import('./json.js') },
];

export function findWriter(name: string): ExportEntry | undefined {
  return writers.find((w) => w.name === name);
}
