import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/server/store/db.js';
import { BIN, cli } from '../helpers/cli.js';
import { spawnJson, stopProcess } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import { type ChildProcess, spawn } from 'node:child_process';

/** `local up --data-dir X`, then every command that touches the local server finds it with --data-dir X. */
let up: ChildProcess;
let info: { api_url: string; ocpp_urls: string[] };
const siteDir = join(tempDir(), 'site42');
const configDir = tempDir();
// DYNAMO_DATA_DIR names another directory: only the flag can lead to the server.
const env = { DYNAMO_DATA_DIR: tempDir() };

beforeAll(async () => {
  ({ child: up, first: info } = await spawnJson<typeof info>([BIN, 'local', 'up', '--data-dir', siteDir, '--json', '--port', '0', '--ocpp-port', '0'], { DYNAMO_CONFIG_DIR: configDir }));
});
afterAll(async () => {
  expect(await stopProcess(up)).toBe(0);
});

test('--data-dir leads --local, local cp and sync to the server of that directory; its hints carry it', async () => {
  const added = await cli(['--data-dir', siteDir, 'local', 'cp', 'add', 'CP-DD-1'], { env, configDir });
  expect(added.code).toBe(0);
  const list = await cli(['--local', '--data-dir', siteDir, 'local', 'cp', 'list', '--json'], { env, configDir });
  expect(JSON.parse(list.stdout)).toMatchObject({ charge_points: [{ id: 'CP-DD-1' }], server: `local:${siteDir}` });
  // After the subcommand too, as every global option.
  const templates = await cli(['--local', 'templates', '--data-dir', siteDir], { env, configDir });
  expect(templates.code).toBe(0);
  expect(templates.stderr).toContain('server: the local server of');
  const offline = await cli(['--local', '--data-dir', siteDir, 'start', 'CP-DD-1'], { env, configDir });
  expect(offline.code).toBe(5);
  expect(offline.stderr).toContain(`dynamo --local --data-dir ${siteDir} local cp list`);
  const status = await cli(['--data-dir', siteDir, 'sync', '--status', '--json'], { env, configDir });
  expect(status.code).toBe(0);
});

/** The plain banner of a `local up`, up to its data line; the server is then stopped. */
function banner(args: string[]): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, 'local', 'up', '--port', '0', '--ocpp-port', '0', ...args], { env: { ...process.env, DYNAMO_CONFIG_DIR: tempDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    p.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('  data            ')) p.kill('SIGTERM');
    });
    p.once('exit', () => resolve({ stdout }));
    p.once('error', reject);
  });
}

test('the banner prints the exact command to reach it, --data-dir included', async () => {
  const dir = tempDir();
  const { stdout } = await banner(['--data-dir', dir]);
  expect(stdout).toContain(`(any dynamo command with --local: dynamo --local --data-dir ${dir} local cp list)`);
  expect(stdout).toContain(`dynamo --data-dir ${dir} local cp add <charge-point-id>`);
});

test('a data directory that does not exist, or holds no database: exit 2, and no database is made', async () => {
  const missing = join(tempDir(), 'typo');
  for (const args of [['--local', 'templates'], ['sync', '--status'], ['local', 'cp', 'list']]) {
    const r = await cli(['--data-dir', missing, ...args, '--json'], { env, configDir });
    expect(r.code, args.join(' ')).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'bad_data_dir', exit_code: 2 });
    expect(r.stderr).toContain(`data directory ${missing} does not exist`);
  }
  expect(existsSync(missing)).toBe(false);
  const empty = tempDir();
  const r = await cli(['--data-dir', empty, 'sync', '--status']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/holds no dynamo database \(dynamo\.db\)\nhint: give the --data-dir that local up uses, or start a server there: dynamo --data-dir \S+ local up\n$/);
  expect(readdirSync(empty)).toEqual([]);
});

test('--local with a data directory whose server is not running: exit 7 (unreachable), code no_local_server', async () => {
  const dir = tempDir();
  openDatabase(dir).close();
  const r = await cli(['--local', '--data-dir', dir, 'templates']);
  expect(r.code).toBe(7);
  expect(r.stderr).toMatch(/^error: no local server is running for .*\nhint: start one \(in another terminal\): dynamo --data-dir \S+ local up\n$/);
  const json = await cli(['--local', '--data-dir', dir, 'templates', '--json']);
  expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'no_local_server', exit_code: 7 });
});

test('a port in use: one line naming the port, its flag and the process holding it; exit 2', async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
  const port = (holder.address() as { port: number }).port;
  try {
    const r = await cli(['local', 'up', '--ocpp-port', String(port), '--port', '0', '--json']);
    expect(r.code).toBe(2);
    // This test process holds it: Linux's /proc names it.
    const by = process.platform === 'linux' ? ` by PID ${process.pid} (` : '';
    expect(r.stderr.split('\n')[0]).toContain(`error: port ${port} (--ocpp-port) is already in use${by}`);
    expect(JSON.parse(r.stdout).error.code).toBe('port_in_use');
  } finally {
    holder.close();
  }
});

test('a data directory deleted and made again: --local logs in to its new server by itself, and the old login is let go', async () => {
  const dir = join(tempDir(), 'site-again');
  const config = tempDir();
  const serve = () => spawnJson<typeof info>([BIN, 'local', 'up', '--data-dir', dir, '--json', '--port', '0', '--ocpp-port', '0'], { DYNAMO_CONFIG_DIR: config });
  const localKeys = () => Object.keys(JSON.parse(readFileSync(join(config, 'tokens.json'), 'utf8')) as object).filter((k) => k.startsWith('local:'));
  let server = await serve();
  try {
    expect((await cli(['--local', '--data-dir', dir, 'templates'], { configDir: config })).code).toBe(0);
    expect(localKeys()).toHaveLength(1);
    expect(await stopProcess(server.child)).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    server = await serve();
    // The kept token was signed by a key that is gone: offered, it would be refused (exit 4, "run login").
    const again = await cli(['--local', '--data-dir', dir, 'templates'], { configDir: config });
    expect(again.stderr).not.toContain('error');
    expect(again.code).toBe(0);
    expect(localKeys()).toHaveLength(1);
    // A kept token the server refuses for any other reason: logged in again, once, by itself.
    const tokensFile = join(config, 'tokens.json');
    const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as Record<string, { token: string }>;
    tokens[localKeys()[0]!]!.token = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmVkIGJ5IG5vIG9uZQ';
    writeFileSync(tokensFile, JSON.stringify(tokens), { mode: 0o600 });
    const refused = await cli(['--local', '--data-dir', dir, 'templates'], { configDir: config });
    expect(refused.stderr).not.toContain('error');
    expect(refused.code).toBe(0);
  } finally {
    await stopProcess(server.child);
  }
});
