// `fir export --format F`: records out in a foreign format (the writers of src/export/).
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { readRecords, type Output } from '../io.js';
import { listOption } from '../options.js';
import { findWriter, writers } from '../export/index.js';
import { openOutFile, sinkFor } from '../export/sink.js';
import { hashingStdin } from '../export/digest.js';
import { reportExamples, reportOptions } from '../export/report-options.js';
import type { ExportContext, ExportOptions } from '../export/types.js';
import type { Command } from './types.js';

interface Args {
  files?: string[];
  format?: string;
  out?: string;
  to?: string;
  columns?: string | string[];
  [k: string]: unknown;
}

const command: Command<Args> = {
  command: 'export [files..]',
  describe: 'write records as csv, json, cef, syslog, ecs, an html report or an evidence folder',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'NDJSON record files (default stdin; - is stdin)' })
      .option('format', { alias: 'f', type: 'string', choices: writers.map((w) => w.name), describe: 'output format:\n' + writers.map((w) => `${w.name}: ${w.describe}`).join('\n') })
      .option('out', { alias: 'o', type: 'string', describe: 'write to FILE (a folder for evidence) instead of stdout' })
      .option('to', { type: 'string', describe: 'syslog: send to udp://HOST:PORT or tcp://HOST:PORT (RFC 6587 octet counting)' })
      .option('facility', { type: 'string', describe: 'syslog: facility name or number (default local0)' })
      .option('hostname', { type: 'string', describe: 'syslog: HOSTNAME field (default this host)' })
      .option('drain', { type: 'string', describe: 'syslog --to: how long to keep retrying delivery after the input ends (default 60s)' })
      .option('columns', { type: 'string', describe: 'csv: the columns, in order (comma-separated; dotted names for nested fields)' })
      .options(reportOptions)
      .example('fir detect < flows.ndjson | fir export --format csv > events.csv', 'events for a spreadsheet')
      .example('fir detect < flows.ndjson | fir export --format syslog --to tcp://siem.example:6514', 'events to a SIEM over TCP syslog')
      .example('fir export --format cef --out events.cef events.ndjson', 'ArcSight CEF lines to a file')
      .example('fir export --format ecs < events.ndjson | curl -s -H "Content-Type: application/x-ndjson" --data-binary @- …', 'ECS documents for Elasticsearch')
      .example('fir export --format csv --columns start,src,method,priority,detail < events.ndjson', 'a chosen column set')
      .example(reportExamples),
  async run(args, ctx) {
    if (args.verify !== undefined) return (await import('../export/verify.js')).runVerify(args, ctx);
    if (!args.format) throw new UsageError(`--format is required (one of ${writers.map((w) => w.name).join(', ')})`);
    const entry = findWriter(args.format);
    if (!entry) throw new UsageError(`--format: unknown format ${args.format}`);
    const writer = (await entry.load()).default;
    if (args.to !== undefined && !writer.acceptsTo) throw new UsageError(`--to is not supported by --format ${entry.name}`);
    if (args.to !== undefined && args.out !== undefined) throw new UsageError('--to and --out exclude each other');
    if (writer.output !== 'stream' && !args.out) throw new UsageError(`--format ${entry.name} needs --out ${writer.output === 'dir' ? 'DIR' : 'FILE'}`);
    const columns = listOption(args.columns);
    const opts: ExportOptions = { args, ...(args.out !== undefined ? { out: args.out } : {}), ...(args.to !== undefined ? { to: args.to } : {}), ...(columns.length ? { columns } : {}) };
    let fileOut: Output | undefined;
    if (writer.output === 'stream' && args.out !== undefined && args.out !== '-') fileOut = openOutFile(args.out);
    const sources = args.files?.length ? args.files.map(String) : ['-'];
    const ectx: ExportContext = {
      out: sinkFor(fileOut ?? ctx.out),
      diag: ctx.diag,
      sources,
      argv: ctx.argv,
      signal: ctx.signal,
      stderr: ctx.stderr,
    };
    // a folder writer archives its input: stdin is hashed as it streams (see digest.ts)
    const records = readRecords(sources, { stdin: writer.output === 'dir' ? hashingStdin(ctx.stdin, ectx) : ctx.stdin, diag: ctx.diag });
    const status = await writer.run(records, opts, ectx);
    if (fileOut) await fileOut.end();
    else await ectx.out.flush();
    return status;
  },
};

export default command;
