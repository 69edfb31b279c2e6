import { ApiRequestError, InvalidResponseError, NetworkError } from '../api/client-errors.js';
import { AuthRequired, CliError, OfflineError, UsageError } from './errors.js';

/** design.md's exit codes, the contract with scripts and CI. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  commissioningFailed: 3,
  auth: 4,
  conflict: 5,
  notFound: 6,
  offline: 7,
} as const;

/** Every error to its exit code, here and nowhere else. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof OfflineError) return EXIT.offline;
  if (err instanceof AuthRequired) return EXIT.auth;
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

/** What to suggest for an API error, when there is something to suggest. */
export function hintFor(err: unknown): string | undefined {
  if (err instanceof CliError) return err.hint;
  if (err instanceof NetworkError) return err.hint ?? 'check the connection, or work offline against the local server: dynamo local up, then add --local';
  if (err instanceof InvalidResponseError) return `check the URL (--api-url, or dynamo login --api-url …); on a hotel or site Wi-Fi, open a browser once to get past its login page`;
  if (!(err instanceof ApiRequestError)) return undefined;
  switch (err.code) {
    case 'unauthorized':
      return 'run dynamo login';
    case 'forbidden':
      return 'your account is not allowed to work on this charge point; ask your dispatcher for access';
    case 'not_connected':
      return 'check that the charge point points at this Central System and is online; dynamo local cp list shows what is connected';
    case 'session_already_running':
      return 'watch it with dynamo status <cp> --watch, or stop it with dynamo stop <cp>';
    case 'checks_not_passed':
      return 'run a passing session first: dynamo start <cp> --wait';
    case 'rate_limited':
      return 'wait a few minutes before trying again';
    default:
      return undefined;
  }
}
