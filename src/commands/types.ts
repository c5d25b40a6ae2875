import type { Argv } from 'yargs';
import type { Readable } from 'node:stream';
import type { Diagnostics } from '../diag.js';
import type { Output } from '../io.js';

/** What the CLI hands a command: its streams and diagnostics. Only cli.ts exits. */
export interface Context {
  stdin: Readable;
  out: Output;
  /** raw stdout, for commands that write bytes themselves */
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  diag: Diagnostics;
  /** the command line as typed, for manifests */
  argv: string[];
  /** SIGINT/SIGTERM: long-running commands (a live collector) stop, flush and return */
  signal: AbortSignal;
}

/**
 * One subcommand: a thin yargs adapter. `run` wires the core transform to the context and
 * returns the exit status (0, 1 or 3); usage errors are thrown as UsageError (2).
 */
export interface Command<A = Record<string, unknown>> {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv<any>;
  run: (args: A, ctx: Context) => Promise<number>;
}
