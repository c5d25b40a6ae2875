// `fir enrich`: add host names, MAC, user and CMDB data to events (and flows).
import type { Argv } from 'yargs';
import { readFlagFile, cidrListOption, listOption } from '../options.js';
import { readRecords } from '../io.js';
import { CidrSet } from '../net.js';
import { escapeControl } from '../term.js';
import { enrich, type EnrichTables } from '../core/enrich.js';
import { HostTable } from '../enrich/hosts.js';
import { Cmdb, Users, compileUrlTemplate, loadLeases } from '../enrich/identity.js';
import type { Command } from './types.js';

interface Args {
  files?: string[];
  flows?: string | string[];
  users?: string | string[];
  leases?: string | string[];
  cmdb?: string | string[];
  'cmdb-key'?: string;
  'cmdb-url'?: string;
  'flows-too'?: boolean;
  'local-nets'?: string | string[];
}

/** A file flag that may be repeated (not split on commas: file names may hold them). */
function files(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String).filter((f) => f.length > 0);
}

const command: Command<Args> = {
  command: 'enrich [files..]',
  describe: 'add host names (now and at detection), MAC, user and CMDB asset to events',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'NDJSON event files (default stdin; - is stdin)' })
      .option('flows', { type: 'string', describe: 'the flow file(s) of the investigation: DNS, PTR, DHCP, ARP and layer-2 addresses are learned from them in one pass' })
      .option('users', { type: 'string', describe: 'CSV of address (or MAC),user,from,to: who used an address when' })
      .option('leases', { type: 'string', describe: 'DHCP lease file (ISC dhcpd.leases or dnsmasq.leases): MAC and host name per address' })
      .option('cmdb', { type: 'string', describe: 'CMDB export as CSV with a header and an ip (or address) and/or mac column' })
      .option('cmdb-key', { type: 'string', describe: 'the CMDB column to key on (default: ip/address and mac columns)' })
      .option('cmdb-url', { type: 'string', describe: "link to the asset, {ip} {mac} {host} URL-encoded: 'https://cmdb.example/asset?ip={ip}&mac={mac}'" })
      .option('flows-too', { type: 'boolean', describe: 'also add src_host/dst_host, src_mac/dst_mac, src_user/dst_user to flow records' })
      .option('local-nets', { type: 'string', describe: 'networks on the local segment: only their layer-2 source addresses are taken as their MACs' })
      .example('fir detect < flows.ndjson | fir enrich --flows flows.ndjson', 'names and MACs learned from the same traffic')
      .example('fir enrich --flows flows.ndjson --users users.csv --leases /var/lib/dhcp/dhcpd.leases < events.ndjson', 'add who used each address')
      .example("fir enrich --cmdb assets.csv --cmdb-url 'https://cmdb.example/asset?ip={ip}&mac={mac}' < events.ndjson", 'asset data and a link to it')
      .example('fir enrich --flows flows.ndjson --flows-too < flows.ndjson | fir flows --by src_host', 'name the hosts of flows'),
  async run(args, ctx) {
    const localNets = listOption(args['local-nets']).length ? new CidrSet(cidrListOption(args['local-nets'], 'local-nets')) : undefined;
    const hosts = new HostTable(localNets ? { localNets } : {});
    const tables: EnrichTables = { hosts };
    const userFiles = files(args.users);
    if (userFiles.length) {
      const users = new Users();
      for (const f of userFiles) users.load(readFlagFile(f, 'users'), f, ctx.diag);
      tables.users = users;
    }
    const cmdbFiles = files(args.cmdb);
    if (cmdbFiles.length) {
      const cmdb = new Cmdb();
      for (const f of cmdbFiles) cmdb.load(readFlagFile(f, 'cmdb'), f, ctx.diag, args['cmdb-key']);
      tables.cmdb = cmdb;
    }
    if (args['cmdb-url'] !== undefined) tables.cmdbUrl = compileUrlTemplate(args['cmdb-url']);
    for (const f of files(args.leases)) loadLeases(readFlagFile(f, 'leases'), f, hosts, ctx.diag);
    const flowFiles = files(args.flows);
    if (flowFiles.length) {
      for await (const batch of readRecords(flowFiles, { diag: ctx.diag })) {
        for (const r of batch) if (r.rec.kind === 'flow' || r.rec.kind === undefined) hosts.flow(r.rec);
      }
    }
    const tty = ctx.out.isTTY;
    const sources = args.files?.length ? args.files.map(String) : ['-'];
    const opts = { flowsToo: Boolean(args['flows-too']) };
    for await (const batch of enrich(readRecords(sources, { stdin: ctx.stdin, diag: ctx.diag }), tables, opts)) {
      for (const rec of batch) {
        // JSON already escapes C0 controls; on a terminal the C1 and bidi ones are escaped too
        const p = tty ? ctx.out.line(escapeControl(JSON.stringify(rec))) : ctx.out.record(rec);
        if (p) await p;
      }
    }
    return 0;
  },
};

export default command;
