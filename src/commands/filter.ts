// fir filter EXPR [FILE…]: the records that match a filter expression (fir-filter(7)).
import { openSync, createWriteStream, existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { Command } from './types.js';
import { compileFilter, filterSources, parseIpList, threadPlan, FilterSyntaxError } from '../core/filter.js';
import { UsageError, EXIT } from '../errors.js';
import { Output } from '../io.js';
import { readFlagFile } from '../options.js';
import { escapeControl } from '../term.js';
import type { CidrSet } from '../net.js';

interface Args {
  expr: string;
  files?: string[];
  invert?: boolean;
  ipList?: string;
  rejects?: string;
  threads?: number;
}

const command: Command<Args> = {
  command: 'filter <expr> [files..]',
  describe: 'pass the records that match a filter expression (nfdump-style: src ip, dst port, net, proto, flags, ...)',
  builder: (y) =>
    y
      .positional('expr', { type: 'string', describe: 'the filter expression (see man fir-filter.7); `any` passes everything' })
      .positional('files', { type: 'string', array: true, describe: 'NDJSON files to read (- or none: stdin)' })
      .option('invert', { alias: 'v', type: 'boolean', describe: 'pass the records that do not match' })
      .option('ip-list', { type: 'string', requiresArg: true, describe: 'also require src, dst or a target to be in this list (one address or CIDR per line, # comments)' })
      .option('rejects', { type: 'string', requiresArg: true, describe: 'write the records that do not pass to this file (as they came in)' })
      .option('threads', { type: 'number', requiresArg: true, describe: 'worker threads that parse and test (1: none); default: one per idle core (at most 4, if 2 or more are idle) once the input passes 32 MiB' })
      .example("fir filter 'dst port 22 and src net 10.0.0.0/16' flows.ndjson", 'SSH connections from one network')
      .example("fir filter 'host 2001:db8::1 and not proto icmp6' < flows.ndjson", 'IPv6 works the same way')
      .example("fir filter 'proto tcp and flags S and not flags AFRPU'", 'TCP flows whose originator only sent SYNs (nfdump semantics)')
      .example("fir filter 'packets > 1k or bytes >= 10M or duration > 5m'", 'big or long flows (K/M/G are powers of 1000; durations without a unit are ms)')
      .example("fir filter 'start >= 2026-11-27T10:00 and start < 2026-11-27T10:05'", 'a five-minute window (partial UTC times)')
      .example("fir filter 'method SCANS and priority >= high and target net 192.168.1.0/24' events.ndjson", 'events by method, priority and target')
      .example("fir filter 'dns name example.com'", 'DNS flows for example.com and its subdomains')
      .example('fir filter --ip-list bad.txt any --rejects clean.ndjson flows.ndjson', 'split flows by a list of thousands of addresses and networks')
      .example("fir filter -v 'port in [53 123 5353]'", 'everything except DNS, NTP and mDNS'),
  run: async (args, ctx) => {
    if (args.threads !== undefined && (!Number.isInteger(args.threads) || args.threads < 1 || args.threads > 64)) {
      throw new UsageError(`--threads: expected a whole number from 1 to 64, got ${args.threads}`);
    }
    let ipList: CidrSet | undefined;
    let ipListText: string | undefined;
    if (args.ipList !== undefined) {
      ipListText = readFlagFile(args.ipList, 'ip-list');
      const { set, errors } = parseIpList(ipListText, args.ipList);
      if (errors.length) throw new UsageError(`--ip-list ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
      if (set.size === 0) ctx.diag.warn(`--ip-list ${args.ipList} holds no addresses: no record will pass`);
      ipList = set;
    }
    let test;
    try {
      test = compileFilter(String(args.expr), { ipList, invert: Boolean(args.invert) });
    } catch (err) {
      if (!(err instanceof FilterSyntaxError)) throw err;
      ctx.stderr.write(syntaxErrorText(err));
      const hint = quoteHint(err, args.files ?? []);
      if (hint) ctx.stderr.write(hint);
      return EXIT.USAGE;
    }

    let rejects: Output | undefined;
    if (args.rejects !== undefined) {
      let fd: number;
      try {
        fd = openSync(args.rejects, 'w');
      } catch (err) {
        throw new UsageError(`--rejects: cannot write ${args.rejects}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      rejects = new Output(createWriteStream('', { fd }));
    }

    const out = ctx.out;
    const fail = rejects;
    // blocks are tested on the main thread first, by worker threads once the input proves large
    const plan = threadPlan(args.threads, availableParallelism(), loadavg()[0]);
    const setup = { expr: String(args.expr), invert: Boolean(args.invert), ipList: ipListText !== undefined ? { text: ipListText, source: args.ipList! } : undefined, wantFail: Boolean(fail) };
    try {
      await filterSources(args.files ?? [], { test, setup, ...plan, stdin: ctx.stdin, diag: ctx.diag }, (text) => out.text(text), fail ? (text) => fail.text(text) : undefined);
    } finally {
      if (fail) await fail.end();
    }
    return EXIT.OK;
  },
};

/** The message, then the expression with a caret under the column (control characters escaped). */
export function syntaxErrorText(err: FilterSyntaxError): string {
  const shown = escapeControl(err.expr);
  const caret = escapeControl(err.expr.slice(0, err.col - 1)).length;
  return `fir filter: syntax error at column ${err.col}: ${escapeControl(err.message)}\n  ${shown}\n  ${' '.repeat(caret)}^\n`;
}

/** `fir filter dst port 22 f.ndjson` (unquoted): the expression ended early and its words became file names. */
function quoteHint(err: FilterSyntaxError, files: string[]): string | undefined {
  if (err.col <= err.expr.length) return undefined;
  const words: string[] = [];
  for (const f of files) {
    if (f === '-' || existsSync(f)) break;
    words.push(f);
  }
  if (!words.length) return undefined;
  const rest = files.slice(words.length);
  return `fir filter: hint: quote the whole expression: fir filter '${escapeControl([err.expr, ...words].join(' '))}'${rest.length ? ' ' + escapeControl(rest.join(' ')) : ''}\n`;
}

export default command;
