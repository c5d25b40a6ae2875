// `fir detect`: flow records in, event records out (the methods of src/detect/).
import type { Argv } from 'yargs';
import { EXIT, UsageError } from '../errors.js';
import { cidrListOption, idleCores, ipListOption, listOption, readFlagFile } from '../options.js';
import { isPriority, priorityRank, PRIORITIES } from '../record.js';
import { parseRules, type FpRule } from '../fp/rules.js';
import { parseConfig } from '../detect/config.js';
import { methodDefaults, METHODS } from '../detect/registry.js';
import type { DetectConfig } from '../detect/types.js';
import { detect, type DetectStats } from '../core/detect.js';
import { readLineChunks } from '../detect/lines.js';
import { BLOCKLIST_KEY, parseBlocklist } from '../detect/methods/blacklist.js';
import { INVENTORY_KEY, parseInventory } from '../detect/methods/aliendev.js';
import type { Command } from './types.js';

interface Args {
  files?: string[];
  'local-nets'?: unknown;
  'dhcp-servers'?: unknown;
  'dns-servers'?: unknown;
  config?: string;
  methods?: unknown;
  perspective?: string;
  'fp-rules'?: string;
  'fail-on'?: string;
  blocklist?: string;
  inventory?: string;
  threads?: number;
  [k: string]: unknown;
}

const command: Command<Args> = {
  command: 'detect [files..]',
  describe: 'find attacks in flow records: scans, sweeps, password guessing, rogue DHCP and DNS servers, floods, DNS tunnels, big transfers, listed hosts, beacons, new devices',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'NDJSON flow files (default stdin; - is stdin)' })
      .option('local-nets', { type: 'string', describe: 'the local networks (CIDRS, comma-separated); DHCP segments are taken from them' })
      .option('dhcp-servers', { type: 'string', describe: 'the allowed DHCP servers (IPS); without them rogue servers are judged from the traffic' })
      .option('dns-servers', { type: 'string', describe: 'the allowed DNS servers (IPS); without them unusual servers are judged from the traffic' })
      .option('config', { type: 'string', describe: 'JSON file: thresholds of every method, allowed servers, perspectives (see fir-detect(1))' })
      .option('methods', { type: 'string', describe: `methods to run (default all): ${METHODS.map((m) => m.name).join(', ')}` })
      .option('perspective', { type: 'string', describe: 'the priority table to use (built in: default, quiet; more in --config)' })
      .option('fp-rules', { type: 'string', describe: 'false-positive rules file (fir fp): matching events are not written' })
      .option('blocklist', { type: 'string', describe: 'FILE: addresses, networks and domains (one a line, # comments); traffic with them is BLACKLIST' })
      .option('inventory', { type: 'string', describe: 'FILE: the known devices (CSV or list of MACs and IPs); any other that talks is ALIENDEV' })
      .option('threads', { type: 'number', describe: 'threads to use: 1, or 2 (the methods in a worker, the parsing shared; default 2 from 8 MiB of input on, with a core to spare)' })
      .option('fail-on', { type: 'string', describe: `exit 3 when an event of this priority or above is written (${PRIORITIES.join(', ')})` })
      .example('fir ingest capture.pcap | fir detect', 'events of a capture, as NDJSON')
      .example('fir detect --dhcp-servers 192.168.1.1 --dns-servers 192.168.1.1 < flows.ndjson', 'with the allowed servers: any other is an event')
      .example('fir detect --methods SCANS,SSHDICT --fp-rules fp.ndjson flows.ndjson', 'two methods, known false positives left out')
      .example('fir detect --fail-on high < flows.ndjson > /dev/null', 'CI gate: exit 3 when something high or critical is found')
      .example('fir detect --blocklist bad.txt --inventory devices.csv < flows.ndjson', 'traffic with listed hosts and domains, devices not in the inventory')
      .example('fir detect --config lan.json --perspective quiet < flows.ndjson | fir timeline', 'own thresholds and priorities, read as a timeline'),
  async run(args, ctx) {
    let config: DetectConfig = {};
    if (args.config !== undefined) config = parseConfig(readFlagFile(args.config, 'config'), args.config, methodDefaults());
    const nets = cidrListOption(args['local-nets'], 'local-nets');
    if (nets.length) config = { ...config, local_nets: nets.map((c) => c.text) };
    const dhcp = ipListOption(args['dhcp-servers'], 'dhcp-servers');
    if (dhcp.length) config = { ...config, dhcp_servers: dhcp };
    const dns = ipListOption(args['dns-servers'], 'dns-servers');
    if (dns.length) config = { ...config, dns_servers: dns };
    if (args.blocklist !== undefined) {
      const { list, problems } = parseBlocklist(readFlagFile(args.blocklist, 'blocklist'));
      for (const p of problems) ctx.diag.skip(args.blocklist, p.line, p.message);
      config = { ...config, [BLOCKLIST_KEY]: list };
    }
    if (args.inventory !== undefined) {
      const { inventory, problems } = parseInventory(readFlagFile(args.inventory, 'inventory'));
      for (const p of problems) ctx.diag.skip(args.inventory, p.line, p.message);
      config = { ...config, [INVENTORY_KEY]: inventory };
    }
    const failOn = args['fail-on'];
    if (failOn !== undefined && !isPriority(failOn)) throw new UsageError(`--fail-on: not a priority: ${failOn} (${PRIORITIES.join(', ')})`);
    let fpRules: FpRule[] | undefined;
    if (args['fp-rules'] !== undefined) fpRules = parseRules(readFlagFile(args['fp-rules'], 'fp-rules'), args['fp-rules']);
    const methods = listOption(args.methods);
    const sources = args.files?.length ? args.files.map(String) : ['-'];
    const stats: DetectStats = { flows: 0, nonFlows: 0, events: 0, suppressed: 0 };
    const gate = failOn === undefined ? Infinity : priorityRank(failOn);
    let found = false;
    let threads = args.threads;
    if (threads !== undefined && threads !== 1 && threads !== 2) throw new UsageError(`--threads: 1 or 2, not ${String(threads)}`);
    // a second thread pays only on a core to spare; on a busy machine it costs CPU time for nothing
    if (threads === undefined && idleCores() < 1) threads = 1;
    const lines = readLineChunks(sources, { stdin: ctx.stdin, diag: ctx.diag });
    const events = detect(
      lines,
      { config, ...(methods.length ? { methods } : {}), ...(args.perspective !== undefined ? { perspective: args.perspective } : {}), ...(fpRules ? { fpRules } : {}), ...(threads !== undefined ? { threads } : {}) },
      ctx.diag,
      stats,
    );
    for await (const batch of events) {
      for (const ev of batch) {
        if (priorityRank(ev.priority) >= gate) found = true;
        const p = ctx.out.record(ev);
        if (p) await p;
      }
    }
    if (fpRules) ctx.diag.info(`${stats.suppressed} ${stats.suppressed === 1 ? 'event' : 'events'} suppressed by the false-positive rules of ${args['fp-rules']}`);
    if (stats.flows === 0 && stats.nonFlows > 0) ctx.diag.info(`no flow records in the input (${stats.nonFlows} other records passed over)`);
    return found ? EXIT.FOUND : EXIT.OK;
  },
};

export default command;
