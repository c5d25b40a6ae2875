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
  const controller = new AbortController();
  let status: number = EXIT.OK;
  let usage: string | undefined;

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
      usage = msg;
    })
    .epilogue('Every command reads NDJSON on stdin or from FILE arguments (- is stdin) and writes NDJSON.\nSee fir COMMAND --help and man fir-COMMAND.');

  for (const c of commands) {
    if (c === entry) {
      const mod = (await c.load()).default;
      y = y.command(mod.command, mod.describe, (yy) => mod.builder(yy), async (args) => {
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

  try {
    await y.parseAsync();
  } catch (err) {
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
  if (usage !== undefined) {
    process.stderr.write(`fir${cmdName ? ' ' + cmdName : ''}: ${usage}\n`);
    process.stderr.write(`fir${cmdName ? ' ' + cmdName : ''}: see fir ${cmdName ? cmdName + ' ' : ''}--help\n`);
    return EXIT.USAGE;
  }
  return status;
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
