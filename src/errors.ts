// Typed errors and the exit statuses of the contract (fir.md, "Exit status and diagnostics").

export const EXIT = {
  OK: 0,
  /** some input could not be read; every good record was still written */
  INPUT: 1,
  /** usage error: unknown flag, bad expression, unreadable config */
  USAGE: 2,
  /** detect --fail-on found an event at or above the priority */
  FOUND: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class FirError extends Error {
  constructor(message: string, readonly exitCode: ExitCode) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, bad expressions, unreadable config: exit 2. */
export class UsageError extends FirError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
  }
}

/** Input that cannot be read at all (a missing file): exit 1 once the rest is done. */
export class InputError extends FirError {
  constructor(message: string) {
    super(message, EXIT.INPUT);
  }
}

/** stdout was closed by the reader (`| head`): the command ends quietly with status 0. */
export class OutputClosed extends Error {
  constructor() {
    super('output closed');
    this.name = 'OutputClosed';
  }
}

export function isEpipe(err: unknown): boolean {
  return typeof err === 'object' && err !== null && ((err as NodeJS.ErrnoException).code === 'EPIPE' || err instanceof OutputClosed);
}
