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
  { name: 'detect', describe: 'find attacks in flow records: scans, sweeps, password guessing, rogue DHCP and DNS servers', load: () => import('./detect.js') },
  { name: 'filter', describe: 'pass the records that match a filter expression (src ip, dst port, net, proto, flags, priority, ...)', load: () => import('./filter.js') },
  { name: 'timeline', describe: 'events (and flows) in time order, grouped by actor, or told as the attack story', load: () => import('./timeline.js') },
  { name: 'flows', describe: 'summaries of flows: top-N and group-by over any key, distinct counts, time bins, host profile', load: () => import('./flows.js') },
  { name: 'enrich', describe: 'add host names (now and at detection), MAC, user and CMDB asset to events', load: () => import('./enrich.js') },
  { name: 'export', describe: 'write records as csv, json, cef, syslog, ecs, an html report or an evidence folder', load: () => import('./export.js') },
  { name: 'fp', describe: 'keep the false-positive rules that fir detect --fp-rules applies: add, list, from-event', load: () => import('./fp.js') },
];
