// The entry point: builds yargs from the command list, runs one command, and is the only
// place that exits. Exit statuses are those of the contract (errors.ts).
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import type { Context } from './commands/types.js';
import { Diagnostics } from './diag.js';
import { EXIT, FirError, OutputClosed, UsageError, isEpipe } from './errors.js';
import { Output } from './io.js';
import { escapeControl } from './term.js';
import { VERSION } from './version.js';

async function main(argv: string[]): Promise<number> {
  const name = argv.find((a) => !a.startsWith('-'));
  const entry = commands.find((c) => c.name === name);
  const cmdName = entry?.name ?? '';
  const diag = new Diagnostics(cmdName || '');
  const verbose = argv.includes('--verbose');
  const helping = argv.some((a) => a === '--help' || a === '-h' || a === 'help');
  const controller = new AbortController();
  let status: number = EXIT.OK;
  let usage: string | undefined;
  let hint: string | undefined;

  let y: Argv = yargs(argv)
    .scriptName('fir')
    .usage('fir COMMAND [options]\n\nfir (flow incident response): detect attacks in network flows, as commands that read and write NDJSON.')
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .option('verbose', { type: 'boolean', describe: 'show stack traces on internal errors', global: true })
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      // recommendCommands() says this first; the unknown command's own failure follows
      if (/^Did you mean /.test(msg)) {
        hint = msg;
        return;
      }
      // stop here: a command line that does not parse must not run the command
      usage = hint ? `${msg} (${hint.replace(/^D/, 'd')})` : msg;
      throw new BadCommandLine(msg);
    })
    .epilogue('Every command reads NDJSON on stdin or from FILE arguments (- is stdin) and writes NDJSON.\nSee fir COMMAND --help and man fir-COMMAND.');

  for (const c of commands) {
    if (c === entry) {
      const mod = (await c.load()).default;
      y = y.command(mod.command, mod.describe, (yy) => mod.builder(helping ? yy : withoutHelpText(yy)), async (args) => {
        const ctx: Context = {
          stdin: process.stdin,
          out: new Output(process.stdout),
          stdout: process.stdout,
          stderr: process.stderr,
          diag,
          argv: process.argv.slice(1),
          signal: controller.signal,
        };
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => controller.abort());
        const code = await mod.run(args as Record<string, unknown>, ctx);
        try {
          await ctx.out.end();
        } catch (err) {
          if (!isEpipe(err)) throw err;
        }
        status = Math.max(code, diag.skipped > 0 ? EXIT.INPUT : EXIT.OK);
      });
    } else {
      y = y.command(c.name, c.describe);
    }
  }

  if (!helping) {
    // yargs renders the whole help page right after a command's handler starts, in case a later
    // failure prints it (string widths and wrapping: some 40 ms of every run); fir's failures
    // never print it (badCommandLine names --help), so a run that is not asked for help skips it
    const usage = (y as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
    if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  }
  try {
    await y.parseAsync();
  } catch (err) {
    if (err instanceof BadCommandLine) return badCommandLine(cmdName, usage ?? err.message);
    if (err instanceof OutputClosed || isEpipe(err)) return EXIT.OK;
    if (err instanceof FirError) {
      process.stderr.write(`fir${cmdName ? ' ' + cmdName : ''}: ${escapeControl(err.message)}\n`);
      if (verbose && err.stack) process.stderr.write(err.stack + '\n');
      return err instanceof UsageError ? EXIT.USAGE : err.exitCode;
    }
    process.stderr.write(`fir${cmdName ? ' ' + cmdName : ''}: internal error: ${escapeControl((err as Error)?.message ?? String(err))}\n`);
    if (verbose && (err as Error)?.stack) process.stderr.write((err as Error).stack + '\n');
    else process.stderr.write(`fir${cmdName ? ' ' + cmdName : ''}: (run with --verbose for the stack trace)\n`);
    return EXIT.INPUT;
  }
  if (usage !== undefined) return badCommandLine(cmdName, usage);
  return status;
}

/** yargs found the command line wrong (fail() throws it so that no command runs). */
class BadCommandLine extends Error {}

function badCommandLine(cmdName: string, msg: string): number {
  process.stderr.write(`fir${cmdName ? ' ' + cmdName : ''}: ${msg}\n`);
  process.stderr.write(`fir${cmdName ? ' ' + cmdName : ''}: see fir ${cmdName ? cmdName + ' ' : ''}--help\n`);
  return EXIT.USAGE;
}

/**
 * A command's yargs without the text of its help (option descriptions, examples): yargs renders
 * the whole help page, string widths and wrapping included, on every run in case it is needed
 * later, and that costs more than the rest of parsing. It is built with its text when help is
 * asked for; parsing, types, defaults and validation are the same either way.
 */
function withoutHelpText(y: Argv): Argv {
  const strip = (o: unknown) => {
    if (o && typeof o === 'object' && 'describe' in o) {
      const { describe: _d, ...rest } = o as Record<string, unknown>;
      return rest;
    }
    return o;
  };
  const proxy: Argv = new Proxy(y, {
    get(target, prop, receiver) {
      if (prop === 'example' || prop === 'epilogue' || prop === 'epilog') return () => proxy;
      if (prop === 'option' || prop === 'options' || prop === 'positional') {
        return (key: unknown, opt?: unknown) => {
          if (typeof key === 'object' && key !== null) {
            const all: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(key)) all[k] = strip(v);
            (target[prop] as (...a: unknown[]) => unknown)(all);
          } else (target[prop] as (...a: unknown[]) => unknown)(key, strip(opt));
          return proxy;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...a: unknown[]) => {
        const r = (v as (...a: unknown[]) => unknown).apply(target, a);
        return r === target ? proxy : r;
      };
    },
  });
  return proxy;
}

process.stdout.on('error', (err) => {
  if (isEpipe(err)) process.exit(EXIT.OK);
});

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`fir: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = EXIT.INPUT;
  },
);
