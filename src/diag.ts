import { escapeControl } from './term.js';

/**
 * Diagnostics on stderr in the contract's form: `fir COMMAND: SOURCE:WHERE: message`.
 * Counting what was skipped decides exit status 1; only cli.ts turns it into an exit.
 */
export class Diagnostics {
  skipped = 0;
  warnings = 0;
  constructor(
    readonly command: string,
    private readonly out: { write(s: string): unknown } = process.stderr,
  ) {}

  /** A record, line or packet that could not be read and was skipped. */
  skip(source: string, where: string | number | undefined, message: string): void {
    this.skipped++;
    this.emit(source, where, message);
  }

  /** Something worth saying that lost no data. */
  warn(message: string, source?: string, where?: string | number): void {
    this.warnings++;
    this.emit(source, where, message);
  }

  /** Informational line (progress, counts) that is neither a skip nor a warning. */
  info(message: string): void {
    this.out.write(`fir ${this.command}: ${escapeControl(message)}\n`);
  }

  private emit(source: string | undefined, where: string | number | undefined, message: string): void {
    const loc = source === undefined ? '' : where === undefined || where === '' ? `${source}: ` : `${source}:${where}: `;
    this.out.write(`fir ${this.command}: ${escapeControl(loc + message)}\n`);
  }
}
