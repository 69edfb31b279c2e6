import type { Writable } from 'node:stream';
import type { Theme } from './theme.js';

/**
 * Where a command's output goes. --json prints one document (NDJSON for streams) and nothing
 * else on stdout; --quiet drops the informational lines but never data or errors.
 */
export class Output {
  /**
   * Which server answered, once a command has an API client: `--json` documents carry it as
   * `server`; plain output says it once, on stderr (so stdout stays the data a script parses).
   */
  private serverName: { json: string; people: string } | null = null;
  private serverSaid = false;

  constructor(
    readonly theme: Theme,
    readonly json: boolean,
    readonly quiet: boolean,
    private readonly stdout: Writable & { isTTY?: boolean } = process.stdout,
    private readonly stderr: Writable = process.stderr,
  ) {}

  /** Says from here on that `json` (a URL, or `local:<data dir>`) answered; `people` is how to name it. */
  setServer(json: string, people: string): void {
    this.serverName = { json, people };
  }

  private withServer(value: unknown): unknown {
    if (!this.serverName || value === null || typeof value !== 'object' || Array.isArray(value) || 'server' in value) return value;
    return { ...value, server: this.serverName.json };
  }

  /** Names the server now, as the first plain line would: a view draws on stdout without one. */
  announceServer(): void {
    this.sayServer();
  }

  private sayServer(): void {
    if (this.serverSaid || !this.serverName || this.quiet || this.json) return;
    this.serverSaid = true;
    this.stderr.write(`${this.theme.paint('dim', `server: ${this.serverName.people}`)}\n`);
  }

  /** One JSON document: indented for a person at a terminal, compact for a pipe. */
  document(value: unknown): void {
    this.stdout.write(`${JSON.stringify(this.withServer(value), null, this.stdout.isTTY ? 2 : undefined)}\n`);
  }

  /** One line of a JSON stream, tagged with its `kind` (README, "Scripts and CI"). */
  ndjson(value: object, kind?: string): void {
    this.stdout.write(`${JSON.stringify(this.withServer(kind === undefined ? value : { kind, ...value }))}\n`);
  }

  /** Data for people and plain-text scripts. */
  line(text = ''): void {
    this.sayServer();
    this.stdout.write(`${text}\n`);
  }

  /** Confirmations and progress; dropped by --quiet and --json. */
  info(text: string): void {
    if (this.quiet || this.json) return;
    this.sayServer();
    this.stdout.write(`${text}\n`);
  }

  /** Warnings and errors always go to stderr. */
  warn(text: string): void {
    this.stderr.write(`${text}\n`);
  }
}
