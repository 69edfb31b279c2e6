import type { Writable } from 'node:stream';
import type { Theme } from './theme.js';

/**
 * Where a command's output goes. --json prints one document (NDJSON for streams) and nothing
 * else on stdout; --quiet drops the informational lines but never data or errors.
 */
export class Output {
  constructor(
    readonly theme: Theme,
    readonly json: boolean,
    readonly quiet: boolean,
    private readonly stdout: Writable & { isTTY?: boolean } = process.stdout,
    private readonly stderr: Writable = process.stderr,
  ) {}

  /** One JSON document: indented for a person at a terminal, compact for a pipe. */
  document(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, this.stdout.isTTY ? 2 : undefined)}\n`);
  }

  /** One line of a JSON stream. */
  ndjson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Data for people and plain-text scripts. */
  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** Confirmations and progress; dropped by --quiet and --json. */
  info(text: string): void {
    if (!this.quiet && !this.json) this.stdout.write(`${text}\n`);
  }

  /** Warnings and errors always go to stderr. */
  warn(text: string): void {
    this.stderr.write(`${text}\n`);
  }
}
