// The export formats of `fir export --format F`. Each writer is loaded only when its format
// is used. Adding a format is one file in src/export/ and one line here.
import type { ExportEntry } from './types.js';

export const writers: ExportEntry[] = [
  { name: 'csv', describe: 'RFC 4180 CSV, one column per field (nested fields dotted), formula cells neutralised', load: () => import('./csv.js') },
  { name: 'json', describe: 'one JSON array of the records, streamed', load: () => import('./json.js') },
  { name: 'cef', describe: 'ArcSight CEF:0 lines', load: () => import('./cef.js') },
  { name: 'syslog', describe: 'RFC 5424 syslog lines, to stdout, --out FILE or --to udp://|tcp://HOST:PORT', load: () => import('./syslog.js') },
  { name: 'ecs', describe: 'Elastic Common Schema NDJSON documents', load: () => import('./ecs.js') },
  { name: 'html', describe: 'a self-contained HTML report: events by priority, timeline, traffic charts per actor, details and related flows', load: () => import('./html.js') },
  { name: 'evidence', describe: 'an evidence folder (--out DIR): events, related flows, timeline, report, manifest and SHA256SUMS', load: () => import('./evidence.js') },
];

export function findWriter(name: string): ExportEntry | undefined {
  return writers.find((w) => w.name === name);
}
