/**
 * Errors the CLI raises itself. Each carries a stable `code` for scripts (the `error.code` of
 * `--json`, listed in the README) and what the user can do about it: a hint, or a function of
 * how to write a dynamo command for the same server, so that the hint can be pasted as printed.
 * The exit code is decided in one place: exit-codes.ts.
 */
export type Hint = string | ((command: CommandFormatter) => string);

/** Writes `args` as a full dynamo command for the server (and data directory) in use. */
export type CommandFormatter = (args: string, options?: { server?: boolean }) => string;

export class CliError extends Error {
  /** Stable, for scripts: README "Scripts and CI". */
  readonly code: string = 'cli_error';

  constructor(
    message: string,
    readonly hint?: Hint,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong or missing arguments: exit 2. */
export class UsageError extends CliError {
  override readonly code: string = 'usage';
}

/** Input a person would be asked for, but there is no terminal to ask on: exit 2. */
export class MissingInput extends UsageError {
  override readonly code = 'missing_input';
}

/** A data directory that does not exist or holds no database: exit 2. */
export class BadDataDir extends UsageError {
  override readonly code = 'bad_data_dir';
}

/** A port the server cannot listen on because something else does: exit 2. */
export class PortInUse extends UsageError {
  override readonly code = 'port_in_use';
}

/** What was asked for is not on this server: exit 6, like the API's 404. */
export class NotFound extends CliError {
  override readonly code = 'not_found';
}

/** `local up` on a data directory whose server already runs: exit 2. */
export class LocalServerRunning extends UsageError {
  override readonly code = 'local_server_running';
}

/** Not logged in, or the token has expired: exit 4. */
export class AuthRequired extends CliError {
  override readonly code: string = 'not_logged_in';
}

/** The login held for this API has expired: exit 4. */
export class LoginExpired extends AuthRequired {
  override readonly code = 'login_expired';
}

/** The network stayed out of reach for longer than the command waits: exit 7. */
export class OfflineError extends CliError {
  override readonly code: string = 'offline';
}

/** A program the command needs is not installed (Chromium, for a PDF): exit 8. */
export class MissingProgram extends CliError {}

/** Ctrl-C in a view: exit 130, as a shell reports a command ended by SIGINT. */
export class Interrupted extends CliError {
  override readonly code = 'interrupted';

  constructor() {
    super('interrupted');
  }
}

/** --local, but no local server runs for that data directory: exit 7, like any unreachable API. */
export class NoLocalServer extends OfflineError {
  override readonly code = 'no_local_server';

  constructor(message: string) {
    super(message, (command) => `start one (in another terminal): ${command('local up', { server: false })}`);
  }
}

/** --local found something it cannot trust with a token or a password, and sent nothing: exit 7. */
export class UntrustedLocalServer extends OfflineError {
  override readonly code = 'untrusted_local_server';

  constructor(message: string) {
    super(`${message}; nothing was sent to it`, 'run dynamo local up yourself, with a data directory only you can read (--data-dir)');
  }
}

/** The server has no such route, as the hosted API has no firmware or charger-file routes: exit 6. */
export class NotOnThisServer extends CliError {}
