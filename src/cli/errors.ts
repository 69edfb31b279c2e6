/**
 * Errors the CLI raises itself. Each carries what the user can do about it (a "try this" hint),
 * and the exit code is decided in one place: exit-codes.ts.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong or missing arguments: exit 2. */
export class UsageError extends CliError {}

/** Not logged in, or the token has expired: exit 4. */
export class AuthRequired extends CliError {}

/** The network stayed out of reach for longer than the command waits: exit 7. */
export class OfflineError extends CliError {}

/** --local, but no local server runs for that data directory: exit 7, like any unreachable API. */
export class NoLocalServer extends OfflineError {
  constructor(message: string) {
    super(message, 'start one with dynamo local up (in another terminal)');
  }
}

/** --local found something it cannot trust with a token or a password, and sent nothing: exit 7. */
export class UntrustedLocalServer extends OfflineError {
  constructor(message: string) {
    super(`${message}; nothing was sent to it`, 'run dynamo local up yourself, with a data directory only you can read (--data-dir)');
  }
}
