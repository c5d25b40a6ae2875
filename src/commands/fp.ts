// `fir fp add|list|from-event`: keep the false-positive rules file of `fir detect --fp-rules`.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { readRecords } from '../io.js';
import { listOption, tableOrNdjson } from '../options.js';
import { escapeControl, terminalWidth } from '../term.js';
import { renderTable } from '../render/table.js';
import { formatRule, type FpRule } from '../fp/rules.js';
import { appendRules, readRulesFile, ruleFromEvent, ruleFromFlags, rulesPath, type Stamp } from '../core/fp.js';
import type { Command } from './types.js';

interface Args {
  action: string;
  files?: string[];
  rules?: string;
  method?: string;
  submethod?: string;
  src?: string;
  target?: string;
  port?: string | number | (string | number)[];
  reason?: string;
  who?: string;
  format?: string;
}

function who(flag: string | undefined): string {
  if (flag) return flag;
  if (process.env.USER) return process.env.USER;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const command: Command<Args> = {
  command: 'fp <action> [files..]',
  describe: 'keep the false-positive rules that fir detect --fp-rules applies: add, list, from-event',
  builder: (y: Argv) =>
    y
      .positional('action', { type: 'string', choices: ['add', 'list', 'from-event'], describe: 'add: a rule from flags; list: the rules; from-event: the narrowest rule for each event read' })
      .positional('files', { type: 'string', array: true, describe: 'from-event: NDJSON event files (default stdin)' })
      .option('rules', { type: 'string', describe: 'the rules file (default $FIR_FP_RULES, else ./fir-fp-rules.ndjson); from-event writes to stdout unless --rules is given' })
      .option('method', { type: 'string', describe: 'add: the detection method (SCANS, SSHDICT, …)' })
      .option('submethod', { type: 'string', describe: 'add: the submethod' })
      .option('src', { type: 'string', describe: 'add: the network (CIDR) holding the source' })
      .option('target', { type: 'string', describe: 'add: the network holding every target' })
      .option('port', { type: 'string', describe: 'add: port(s) that must hold every port of the event (comma-separated or repeated)' })
      .option('reason', { type: 'string', describe: 'why this is not an incident (required by add)' })
      .option('who', { type: 'string', describe: 'who adds the rule (default $USER)' })
      .option('format', { type: 'string', choices: ['table', 'ndjson'], describe: 'list: table on a terminal, NDJSON otherwise' })
      .example("fir fp add --method SCANS --submethod TCPSYN --src 10.0.0.5 --reason 'Nessus scanner, weekly'", 'a scanner that is allowed')
      .example("fir filter 'method SSHDICT and src 10.0.9.9' < events.ndjson | fir fp from-event --rules fp.ndjson --reason 'backup job'", 'rules that suppress these events')
      .example('fir fp list --rules fp.ndjson', 'the rules, with who, when and why')
      .example('fir detect --fp-rules fp.ndjson < flows.ndjson', 'apply them'),
  async run(args, ctx) {
    const stamp: Stamp = { who: who(args.who), when: new Date().toISOString() };
    if (args.action === 'add') {
      if (!args.method) throw new UsageError('fp add needs --method');
      if (!args.reason) throw new UsageError('fp add needs --reason: say why this is not an incident');
      const ports = listOption(args.port).map((p) => {
        if (!/^\d{1,5}$/.test(p) || Number(p) > 65535) throw new UsageError(`--port: not a port number: ${p}`);
        return Number(p);
      });
      const rule = ruleFromFlags(
        { method: args.method, reason: args.reason, ...(args.submethod ? { submethod: args.submethod } : {}), ...(args.src ? { src: args.src } : {}), ...(args.target ? { target: args.target } : {}), ports },
        stamp,
      );
      const path = rulesPath(args.rules, process.env);
      const n = appendRules(path, [rule]);
      ctx.diag.info(n ? `rule added to ${path}` : `the same rule is already in ${path}`);
      const p = ctx.out.line(escapeControl(formatRule(rule)));
      if (p) await p;
      return 0;
    }
    if (args.action === 'list') {
      const path = rulesPath(args.rules, process.env);
      const rules = readRulesFile(path);
      if (!existsSync(path)) ctx.diag.info(`no rules yet: ${path} does not exist (fir fp add creates it)`);
      if (tableOrNdjson(args.format, ctx.out.isTTY) === 'ndjson') {
        for (const r of rules) {
          const p = ctx.out.line(escapeControl(formatRule(r)));
          if (p) await p;
        }
        return 0;
      }
      const rows = rules.map((r: FpRule, i) => [i + 1, r.method ?? '*', r.submethod ?? '*', r.src ?? '*', r.target ?? '*', r.ports?.join(',') ?? '*', r.reason, r.who, r.when?.slice(0, 16).replace('T', ' ')]);
      const text = renderTable({
        columns: [{ name: '#', align: 'right' }, { name: 'method' }, { name: 'submethod' }, { name: 'src' }, { name: 'target' }, { name: 'ports' }, { name: 'reason', flex: true }, { name: 'who' }, { name: 'when' }],
        rows,
        width: terminalWidth(ctx.stdout),
      });
      const p = ctx.out.text(text.endsWith('\n') ? text : text + '\n');
      if (p) await p;
      return 0;
    }
    // from-event
    const rules: FpRule[] = [];
    const sources = args.files?.length ? args.files.map(String) : ['-'];
    for await (const batch of readRecords(sources, { stdin: ctx.stdin, diag: ctx.diag })) {
      for (const r of batch) {
        const rule = ruleFromEvent(r.rec, args.reason, stamp);
        if (typeof rule === 'string') ctx.diag.skip(r.source, r.line, rule);
        else rules.push(rule);
      }
    }
    if (rules.length === 0) {
      if (ctx.diag.skipped === 0) ctx.diag.skip(sources.map((s) => (s === '-' ? 'stdin' : s)).join(','), undefined, 'no event to make a rule from');
      return 1;
    }
    if (args.rules !== undefined) {
      const n = appendRules(args.rules, rules);
      ctx.diag.info(`${n} ${n === 1 ? 'rule' : 'rules'} added to ${args.rules}${n < rules.length ? ` (${rules.length - n} already there)` : ''}`);
      return 0;
    }
    for (const r of rules) {
      const p = ctx.out.line(escapeControl(formatRule(r)));
      if (p) await p;
    }
    return 0;
  },
};

export default command;
