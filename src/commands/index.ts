// The explicit list of commands. Each module is loaded only when its command runs, so
// `fir filter` does not pay for the packet decoders. Adding a command is one line here.
import type { Command } from './types.js';

export interface CommandEntry {
  name: string;
  describe: string;
  load: () => Promise<{ default: Command<any> }>;
}

export const commands: CommandEntry[] = [
  { name: 'ingest', describe: 'turn captures (pcap, pcapng, gzip) and flow exports into flow records', load: () => import('./ingest.js') },
  { name: 'export', describe: 'write records as csv, json, cef, syslog, ecs, an html report or an evidence folder', load: () => import('./export.js') },
];
