// Input formats of `fir ingest`, in sniffing order (the most specific magic first).
import type { FormatReader } from './types.js';
import { pcapReader } from './pcap.js';
import { pcapngReader } from './pcapng.js';
import { netflowCapture } from './netflow/pcap-export.js';
import { nfdumpCsv, nfdumpJson } from './nfdump.js';
import { zeekConn } from './zeek.js';
import { suricataEve } from './suricata.js';
import { argusCsv } from './argus.js';
import { csvMap } from './csvmap.js';

export const formats: FormatReader[] = [
  pcapReader,
  pcapngReader,
  netflowCapture,
  suricataEve,
  zeekConn,
  nfdumpJson,
  nfdumpCsv,
  argusCsv,
  csvMap,
];

export function formatByName(name: string): FormatReader | undefined {
  return formats.find((f) => f.name === name);
}
