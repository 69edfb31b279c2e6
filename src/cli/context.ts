import isInCi from 'is-in-ci';
import type { ApiClient } from '../api/client.js';
import { DEFAULT_API_URL, readConfig } from './config.js';
import { AuthRequired, UsageError } from './errors.js';
import { type LocalServerInfo, readLocalCredentials, trustedLocalServer } from './local-runtime.js';
import { Output } from './output.js';
import { visibleDeep } from './visible.js';
import { defaultDataDir, tildify } from './paths.js';
import { colorAllowed, makeTheme, type Theme } from './theme.js';
import { readClaims, tokenStore } from './token-store.js';

export interface GlobalOptions {
  apiUrl?: string;
  local?: boolean;
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
    return !this.options.json && !isInCi && this.streams.stdout.isTTY === true && this.streams.stdin.isTTY === true;
  }

  get dataDir(): string {
    return defaultDataDir();
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
    return this.local ? `local:${this.dataDir}` : this.apiUrl();
  }

  /**
   * The API client, logged in: DYNAMO_TOKEN, else the stored token for this API. With --local
   * it talks through the local server's socket and logs in by itself from the server's
   * credentials file. An expired token is caught here, before any request.
   */
  async client(options: { auth?: boolean; deadline?: number } = {}): Promise<ApiClient> {
    const { ApiClient } = await import('../api/client.js');
    const local = this.local ? this.localServer() : null;
    const url = local?.api_url ?? this.apiUrl();
    // What the server relays from chargers (or says itself) reaches people with its control
    // characters made visible; --json passes it on as it came, JSON-escaped.
    const common = { ...(options.deadline !== undefined && { deadline: options.deadline }), ...(!this.out.json && { readAnswer: visibleDeep }) };
    const client = local
      ? new ApiClient(url, { ...common, socketPath: local.api_socket, label: `the local server of ${tildify(this.dataDir)}`, unreachableHint: 'start it with dynamo local up (in another terminal)' })
      : new ApiClient(url, common);
    if (options.auth === false) return client;
    const key = this.tokenKey();
    const envToken = this.env['DYNAMO_TOKEN'];
    let token = envToken || tokenStore.get(key)?.token || null;
    const expired = token !== null && isExpired(token);
    if ((token === null || expired) && local && !envToken) token = await this.localLogin(client, key);
    if (token === null) throw new AuthRequired(`not logged in to ${url}`, 'run dynamo login');
    if (isExpired(token)) {
      const exp = readClaims(token).exp!;
      throw new AuthRequired(`your login to ${url} expired at ${new Date(exp * 1000).toISOString()}`, 'run dynamo login');
    }
    client.setToken(token);
    return client;
  }

  private async localLogin(client: ApiClient, key: string): Promise<string> {
    const credentials = readLocalCredentials(this.dataDir);
    if (!credentials) throw new AuthRequired(`no local credentials in ${tildify(this.dataDir)}`, 'start the local server once with dynamo local up');
    const login = await client.login(credentials.email, credentials.password);
    storeLogin(key, login.access_token, login.installer_id, credentials.email);
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

/** Keeps a login under `key` (an API URL, or the local server's own key: CliContext.tokenKey). */
export function storeLogin(key: string, token: string, installerId: string, email: string | null): void {
  const { exp } = readClaims(token);
  tokenStore.set(key, { token, expiresAt: typeof exp === 'number' ? exp : null, installerId, email });
}
