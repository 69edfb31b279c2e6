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
