import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';

/**
 * Asks before something that cannot be taken back: on a terminal a y/N question (No unless
 * answered yes); `--yes` answers it for scripts; without a terminal and without `--yes` it is a
 * usage error naming the flag, never a prompt that waits.
 */
export async function confirm(ctx: CliContext, question: string, o: { yes: boolean; what: string }): Promise<boolean> {
  if (o.yes) return true;
  if (!ctx.interactive) throw new UsageError(`${o.what}: add --yes to go ahead (there is no terminal to ask on)`);
  const rl = createInterface({ input: ctx.streams.stdin as Readable, output: ctx.streams.stderr as Writable, terminal: true });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
