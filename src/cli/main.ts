import { CommanderError } from 'commander';
import { buildProgram, exitCode, hintContext } from './program.js';

/**
 * Runs the CLI and returns the exit code. What the user sees of an error is one line and a hint
 * when there is one, never a stack trace (DYNAMO_DEBUG=1 adds it for unexpected errors).
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Bare `dynamo` is a person asking what it does: the help, on stdout, exit 0.
  if (argv.length <= 2) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(joinCommandVersion(argv));
    return exitCode.value;
  } catch (err) {
    // Help and version "errors" are successes; commander printed any other parse error itself.
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    return report(err, argv.includes('--json'), !(err instanceof CommanderError), argv.includes('--no-color'));
  }
}

/**
 * commander takes the program's `--version` wherever it stands; after a command word (`firmware
 * update CP-1 --version 2.0.0`) it is that command's option with its value. Joined as
 * `--version=2.0.0`, the program no longer recognises it and the command gets it.
 */
function joinCommandVersion(argv: string[]): string[] {
  const command = argv.findIndex((arg, i) => i >= 2 && !arg.startsWith('-'));
  if (command < 0) return argv;
  const out = argv.slice(0, command);
  for (let i = command; i < argv.length; i += 1) {
    const value = argv[i + 1];
    if (argv[i] === '--version' && value !== undefined && !value.startsWith('-')) {
      out.push(`--version=${value}`);
      i += 1;
    } else out.push(argv[i]!);
  }
  return out;
}

async function report(err: unknown, json: boolean, printed: boolean, noColor: boolean): Promise<number> {
  // Loaded only on failure: the success path of every command stays lighter.
  const { EXIT, errorCodeFor, exitCodeFor, hintFor } = await import('./exit-codes.js');
  const { visible } = await import('./visible.js');
  const { colorAllowed, makeTheme } = await import('./theme.js');
  const code = exitCodeFor(err);
  // Ctrl-C is the user's own doing: nothing to explain.
  if (code === EXIT.interrupted) return code;
  const hint = hintFor(err, hintContext.value);
  // An error may quote a remote server or a charger: never raw on a terminal.
  // commander's own messages span lines ("Did you mean…"): one line, as every other error.
  const raw = err instanceof Error ? err.message : String(err);
  const message = visible(err instanceof CommanderError ? raw.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ') : raw);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: errorCodeFor(err), message, exit_code: code, ...(hint && { hint }) } })}\n`);
  // The argument parser has said it on stderr already, with the usage line.
  if (!printed) return code;
  const t = makeTheme(colorAllowed(process.stderr, noColor));
  process.stderr.write(`${t.paint('red', 'error:')} ${message}\n`);
  if (hint) process.stderr.write(`${t.paint('dim', 'hint:')} ${hint}\n`);
  if (code === EXIT.unexpected && process.env['DYNAMO_DEBUG'] && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return code;
}
