import { CommanderError } from 'commander';
import { buildProgram, exitCode } from './program.js';

/**
 * Runs the CLI and returns the exit code. What the user sees of an error is one line and a hint
 * when there is one, never a stack trace (DYNAMO_DEBUG=1 adds it for unexpected errors).
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return exitCode.value;
  } catch (err) {
    // Help and version "errors" are successes; commander printed any other parse error.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return report(err, argv.includes('--json'));
  }
}

async function report(err: unknown, json: boolean): Promise<number> {
  // Loaded only on failure: the success path of every command stays lighter.
  const { EXIT, exitCodeFor, hintFor } = await import('./exit-codes.js');
  const { ApiRequestError } = await import('../api/client-errors.js');
  const { visible } = await import('./visible.js');
  const code = exitCodeFor(err);
  const hint = hintFor(err);
  // An error may quote a remote server or a charger: never raw on a terminal.
  const message = visible(err instanceof Error ? err.message : String(err));
  if (json) {
    const apiCode = err instanceof ApiRequestError ? err.code : 'cli_error';
    process.stdout.write(`${JSON.stringify({ error: { code: apiCode, message, exit_code: code, ...(hint && { hint }) } })}\n`);
  }
  process.stderr.write(`error: ${message}\n`);
  if (hint) process.stderr.write(`hint: ${hint}\n`);
  if (code === EXIT.unexpected && process.env['DYNAMO_DEBUG'] && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return code;
}
