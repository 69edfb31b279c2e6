import { CommanderError } from 'commander';
import { ApiRequestError, InvalidResponseError, NetworkError } from '../api/client-errors.js';
import { AuthRequired, CliError, type CommandFormatter, Interrupted, MissingProgram, NotFound, NotOnThisServer, OfflineError, UsageError } from './errors.js';
import { shellWord } from '../common/shell-word.js';

/** design.md's exit codes, the contract with scripts and CI. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  /** Also: a firmware update or a diagnostics fetch that did not succeed. */
  commissioningFailed: 3,
  auth: 4,
  conflict: 5,
  /** `sync`: the hosted API refused a record (it is parked): the conflict code, as for a 409/422. */
  parked: 5,
  notFound: 6,
  offline: 7,
  /** A program the command needs is not installed (Chromium for `report --format pdf`). */
  missingProgram: 8,
  /** 128 + SIGINT: Ctrl-C, whether the view or the shell caught it. */
  interrupted: 130,
} as const;

/** Every error to its exit code, here and nowhere else. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return EXIT.usage;
  if (err instanceof Interrupted) return EXIT.interrupted;
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof MissingProgram) return EXIT.missingProgram;
  if (err instanceof OfflineError) return EXIT.offline;
  if (err instanceof AuthRequired) return EXIT.auth;
  if (err instanceof NotFound) return EXIT.notFound;
  if (err instanceof NotOnThisServer) return EXIT.notFound;
  if (err instanceof NetworkError || err instanceof InvalidResponseError) return EXIT.offline;
  if (err instanceof ApiRequestError) {
    if (err.status === 400 || err.status === 413) return EXIT.usage;
    if (err.status === 401 || err.status === 403) return EXIT.auth;
    if (err.status === 404) return EXIT.notFound;
    if (err.status === 409 || err.status === 422) return EXIT.conflict;
    return EXIT.unexpected;
  }
  return EXIT.unexpected;
}

/**
 * Every error to the stable code `--json` prints as `error.code` (README, "Scripts and CI"): the
 * API's own code for an API error, the CLI's for its own, `usage` for the argument parser's.
 */
export function errorCodeFor(err: unknown): string {
  if (err instanceof CommanderError) return 'usage';
  if (err instanceof CliError) return err.code;
  if (err instanceof ApiRequestError) return err.code;
  if (err instanceof NetworkError) return 'unreachable';
  if (err instanceof InvalidResponseError) return 'not_the_api';
  return 'unexpected';
}

/** What a hint needs to be a command that can be pasted as printed. */
export interface HintContext {
  command: CommandFormatter;
  /** The charge point the failed command was about, when it was about one. */
  chargePointId?: string | undefined;
}

const PLAIN: HintContext = { command: (args) => `dynamo ${args}` };

/** What to suggest for an error, when there is something to suggest. */
export function hintFor(err: unknown, hc: HintContext = PLAIN): string | undefined {
  const c = hc.command;
  if (err instanceof CliError) return typeof err.hint === 'function' ? err.hint(c) : err.hint;
  if (err instanceof NetworkError) return err.hint ?? `check the connection, or work offline against the local server: ${c('local up', { server: false })}, then add --local`;
  if (err instanceof InvalidResponseError) return `check the URL (--api-url, or dynamo login --api-url …); on a hotel or site Wi-Fi, open a browser once to get past its login page`;
  if (!(err instanceof ApiRequestError)) return undefined;
  if (err.hint) return err.hint;
  const cp = hc.chargePointId === undefined ? null : shellWord(hc.chargePointId);
  switch (err.code) {
    case 'unauthorized':
      return `run ${c('login')}`;
    case 'forbidden':
      return 'your account is not allowed to work on this charge point; ask your dispatcher for access';
    case 'not_connected':
      return `check that the charge point points at this Central System and is online; ${c('local cp list')} shows what is connected`;
    case 'session_already_running':
      return cp ? `watch it with ${c(`status ${cp} --watch`)}, or stop it with ${c(`stop ${cp}`)}` : undefined;
    case 'checks_not_passed':
      return cp ? `run a passing session first: ${c(`start ${cp} --wait`)}` : undefined;
    case 'rate_limited':
      return 'wait a few minutes before trying again';
    default:
      return undefined;
  }
}
