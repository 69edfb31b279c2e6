import { resolve } from 'node:path';
import isInCi from 'is-in-ci';
import type { ApiClient } from '../api/client.js';
import { DEFAULT_API_URL, readConfig } from './config.js';
import { AuthRequired, LoginExpired, UsageError } from './errors.js';
import { humanTime } from './time-format.js';
import { isLocalTokenKeyOf, type LocalServerInfo, localTokenKey, readLocalCredentials, trustedLocalServer } from './local-runtime.js';
import { Output } from './output.js';
import { visibleDeep } from './visible.js';
import { builtInDataDir, defaultDataDir, tildify } from './paths.js';
import { shellWord } from '../common/shell-word.js';
import { colorAllowed, makeTheme, type Theme } from './theme.js';
import { readClaims, tokenStore } from './token-store.js';

export interface GlobalOptions {
  apiUrl?: string;
  local?: boolean;
  dataDir?: string;
  json?: boolean;
  /** commander's --no-color makes this false. */
  color?: boolean;
  quiet?: boolean;
}

export interface Streams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Everything a command needs besides its own options: output, the API and how to reach it. */
export class CliContext {
  readonly theme: Theme;
  readonly out: Output;

  constructor(
    readonly options: GlobalOptions,
    readonly streams: Streams = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.theme = makeTheme(colorAllowed(streams.stdout, options.color === false, env));
    this.out = new Output(this.theme, options.json === true, options.quiet === true, streams.stdout, streams.stderr);
  }

  /**
   * A person at a terminal: views and prompts. Never with --json, never without a TTY, and never
   * in CI: a runner may give a pseudo-terminal, but nobody presses keys there and ink stops
   * drawing live frames (the same is-in-ci test), so plain lines read better in its log.
   */
  get interactive(): boolean {
    // TERM=dumb cannot move the cursor: plain lines, as without a terminal.
    return !this.options.json && !isInCi && this.env['TERM'] !== 'dumb' && this.streams.stdout.isTTY === true && this.streams.stdin.isTTY === true;
  }

  /**
   * A dynamo command as it must be typed to reach the same server as this one, for hints and
   * banners: with --local or --api-url as this one was given, and --data-dir when the data
   * directory matters to it and is not the default (another terminal may not have
   * DYNAMO_DATA_DIR). `server: false` for a command that starts or reads a server itself.
   */
  command(args: string, options: { server?: boolean } = {}): string {
    const words: string[] = ['dynamo'];
    const server = options.server !== false;
    if (server && this.options.local) words.push('--local');
    else if (server && this.options.apiUrl) words.push('--api-url', shellWord(this.options.apiUrl));
    // `local cp` with --api-url goes to that URL; `local up` and `sync` read the data directory.
    const viaUrl = server && !this.options.local && this.options.apiUrl !== undefined;
    const usesDataDir = (server && this.options.local) || (!viaUrl && /^(local|sync)\b/.test(args));
    if (usesDataDir && this.dataDir !== builtInDataDir()) words.push('--data-dir', shellWord(this.dataDir));
    words.push(args);
    return words.join(' ');
  }

  /** --data-dir, then DYNAMO_DATA_DIR, then the platform's data directory. */
  get dataDir(): string {
    return this.options.dataDir !== undefined ? resolve(this.options.dataDir) : defaultDataDir(this.env);
  }

  /** --local: the server `dynamo local up` runs on this laptop, reached through its socket. */
  get local(): boolean {
    if (this.options.local && this.options.apiUrl) throw new UsageError('--local and --api-url name two different servers: use one of them');
    return this.options.local === true;
  }

  /** --api-url, then --local, then DYNAMO_API_URL, then the configured URL, then the hosted API. */
  apiUrl(): string {
    if (this.local) return this.localServer().api_url;
    if (this.options.apiUrl) return this.options.apiUrl.replace(/\/+$/, '');
    return (this.env['DYNAMO_API_URL'] || readConfig().api_url || DEFAULT_API_URL).replace(/\/+$/, '');
  }

  /** The local server of the data directory, checked before anything is sent to it. */
  localServer(): LocalServerInfo {
    return trustedLocalServer(this.dataDir);
  }

  /**
   * Where this API's login is kept. The local server's is kept apart from any URL, so that it is
   * only ever sent through the local server's socket, never to whatever listens on its TCP port.
   */
  tokenKey(): string {
    return this.local ? localTokenKey(this.dataDir) : this.apiUrl();
  }

  /**
   * The API client, logged in: DYNAMO_TOKEN, else the stored token for this API. With --local
   * it talks through the local server's socket and logs in by itself from the server's
   * credentials file. An expired token is caught here, before any request.
   */
  async client(options: { auth?: boolean; deadline?: number; asReceived?: boolean } = {}): Promise<ApiClient> {
    const { ApiClient } = await import('../api/client.js');
    const local = this.local ? this.localServer() : null;
    const url = local?.api_url ?? this.apiUrl();
    // What the server relays from chargers (or says itself) reaches people with its control
    // characters made visible; --json passes it on as it came, JSON-escaped, and so does a
    // command that escapes it itself for where it writes (asReceived: the report's HTML).
    const common = { ...(options.deadline !== undefined && { deadline: options.deadline }), ...(!this.out.json && !options.asReceived && { readAnswer: visibleDeep }) };
    const key = this.tokenKey();
    const envToken = this.env['DYNAMO_TOKEN'];
    // A kept login its server no longer takes (its signing key replaced by hand, say): --local
    // logs in again by itself, as it did the first time. A token given in DYNAMO_TOKEN is the user's.
    const renewToken = local && !envToken ? { renewToken: () => this.localLogin(client, key) } : {};
    const client: ApiClient = local
      ? new ApiClient(url, { ...common, ...renewToken, socketPath: local.api_socket, label: `the local server of ${tildify(this.dataDir)}`, unreachableHint: `start it with ${this.command('local up', { server: false })} (in another terminal)` })
      : new ApiClient(url, common);
    if (local) this.out.setServer(`local:${this.dataDir}`, `the local server of ${tildify(this.dataDir)}`);
    else this.out.setServer(url, url);
    if (options.auth === false) return client;
    let token = envToken || tokenStore.get(key)?.token || null;
    const expired = token !== null && isExpired(token);
    if ((token === null || expired) && local && !envToken) token = await this.localLogin(client, key);
    if (token === null) throw new AuthRequired(`not logged in to ${url}`, (c) => `run ${c('login')}`);
    if (isExpired(token)) {
      const exp = readClaims(token).exp!;
      throw new LoginExpired(`your login to ${url} expired at ${humanTime(new Date(exp * 1000).toISOString(), { relative: false })}`, (c) => `run ${c('login')}`);
    }
    client.setToken(token);
    return client;
  }

  /** Keeps a login under `key`; with --local, the logins kept for the data directory's earlier servers go. */
  keepLogin(key: string, token: string, installerId: string, email: string | null): void {
    const { exp } = readClaims(token);
    tokenStore.set(key, { token, expiresAt: typeof exp === 'number' ? exp : null, installerId, email }, this.local ? isLocalTokenKeyOf(this.dataDir) : undefined);
  }

  private async localLogin(client: ApiClient, key: string): Promise<string> {
    const credentials = readLocalCredentials(this.dataDir);
    if (!credentials) throw new AuthRequired(`no local credentials in ${tildify(this.dataDir)}`, (c) => `start the local server once with ${c('local up', { server: false })}`);
    const login = await client.login(credentials.email, credentials.password);
    this.keepLogin(key, login.access_token, login.installer_id, credentials.email);
    return login.access_token;
  }

  /**
   * A password given on the command line (visible in `ps` to every user of the laptop), on
   * standard input (--password-stdin), or in the environment variable `envName`, in that order.
   */
  async password(given: string | undefined, fromStdin: boolean, envName: string): Promise<string | undefined> {
    if (given !== undefined && fromStdin) throw new UsageError('--password and --password-stdin both give the password: use one');
    if (given !== undefined) return given;
    if (fromStdin) return this.readStdin();
    return this.env[envName] || undefined;
  }

  /** Reads all of stdin (for --password-stdin). */
  async readStdin(): Promise<string> {
    if (this.streams.stdin.isTTY) throw new UsageError('--password-stdin expects the password on standard input, not a terminal');
    const chunks: Buffer[] = [];
    for await (const chunk of this.streams.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
}

export function isExpired(token: string, now = Date.now()): boolean {
  const { exp } = readClaims(token);
  return typeof exp === 'number' && exp * 1000 <= now;
}
