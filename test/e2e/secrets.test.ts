import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, test } from 'vitest';
import { SimulatedChargePoint } from '../../src/sim/simulator.js';
import { BIN, cli } from '../helpers/cli.js';
import { until } from '../helpers/ocpp.js';
import { stopProcess } from '../helpers/process.js';
import { filesOutsideSecretHomes, secretLeaks } from '../helpers/secrets.js';
import { startServer, tempDir } from '../helpers/server.js';

const stops: (() => unknown)[] = [];
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

test('passwords, tokens and Basic credentials never appear in any log: server output, session logs, the database, CLI output', async () => {
  const dataDir = tempDir();
  const configDir = tempDir();
  const env = { DYNAMO_DATA_DIR: dataDir };
  // Hex as the security whitepaper sends it; the charge point's new password is the bytes.
  const AUTHORIZATION_KEY = Buffer.from('TopSecretAuthKey-42').toString('hex');
  // A template that pushes a profile 1 password to the charge point: the frame is logged.
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dataDir, 'templates'), { recursive: true });
  writeFileSync(
    join(dataDir, 'templates', 'tpl_with_key.json'),
    JSON.stringify({
      template_id: 'tpl_with_key', name: 'With a key', description: '', compatible_models: [], created_at: '2024-01-01T00:00:00Z',
      steps: ['connectivity', 'configuration'], configuration: { AuthorizationKey: AUTHORIZATION_KEY, HeartbeatInterval: '300' },
    }),
  );

  const up = spawn(process.execPath, [BIN, 'local', 'up', '--json', '--port', '0', '--ocpp-port', '0'], {
    env: { ...process.env, ...env, DYNAMO_CONFIG_DIR: configDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stops.push(() => stopProcess(up));
  let serverOutput = '';
  up.stderr!.on('data', (c: Buffer) => (serverOutput += c.toString()));
  const lines = createInterface({ input: up.stdout! });
  lines.on('line', (l) => (serverOutput += `${l}\n`));
  await until(() => serverOutput.includes('api_url'), 10_000, 'local up');
  const installer = JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')) as { email: string; password: string };

  const cliOutput: string[] = [];
  const run = async (args: string[], options: Parameters<typeof cli>[1] = {}) => {
    const r = await cli(args, { env, configDir, ...options });
    cliOutput.push(r.stdout, r.stderr);
    return r;
  };
  const generated = JSON.parse((await cli(['--local', 'local', 'cp', 'add', 'CP-S1', '--json'], { env, configDir })).stdout).password as string;
  const chosen = 'Chosen-Password-1234';
  const addedChosen = await run(['--local', 'local', 'cp', 'add', 'CP-S2', '--password', chosen]);
  expect(addedChosen.stdout).not.toContain(chosen);

  const info = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { ocpp_url: string; api_url: string };
  const sim = new SimulatedChargePoint({ url: info.ocpp_url, id: 'CP-S1', password: generated, reconnect: null });
  stops.push(() => sim.stop());
  await sim.start();
  const intruder = new SimulatedChargePoint({ url: info.ocpp_url, id: 'CP-S2', password: chosen, faults: { wrongPassword: true }, reconnect: null });
  await intruder.connect().catch(() => undefined);
  intruder.stop();

  const login = await run(['--api-url', info.api_url, 'login', '--email', installer.email, '--password-stdin'], { input: installer.password });
  expect(login.code).toBe(0);
  const token = (JSON.parse(readFileSync(join(configDir, 'tokens.json'), 'utf8')) as Record<string, { token: string }>)[info.api_url]!.token;
  await run(['--api-url', info.api_url, 'whoami', '--json']);
  await run(['--api-url', info.api_url, 'whoami']);
  const started = await run(['--api-url', info.api_url, 'start', 'CP-S1', '--template', 'tpl_with_key', '--wait']);
  expect(started.code).toBe(0);
  // The charge point did get the key; the log says only that it was set.
  expect(sim.config.get('AuthorizationKey')).toBe(AUTHORIZATION_KEY);
  const logs = await run(['--api-url', info.api_url, 'logs', 'CP-S1', '--json']);
  const allLogLines = JSON.stringify(JSON.parse(logs.stdout));
  expect(allLogLines).toContain('AuthorizationKey');
  expect(allLogLines).toContain('[redacted]');

  // Sync to a cloud with a token of its own.
  const cloud = await startServer({ hosted: true });
  stops.push(() => cloud.stop());
  await cloud.addChargePoint('CP-S1');
  await run(['sync', '--to', cloud.server.apiUrl, '--data-dir', dataDir], { env: { ...env, DYNAMO_TOKEN: cloud.token } });
  await run(['sync', '--status', '--data-dir', dataDir]);
  await stopProcess(up);
  await cloud.stop(false);
  stops.pop();

  const basic = (id: string, password: string) => Buffer.from(`${id}:${password}`).toString('base64');
  const secrets = {
    'installer password': installer.password,
    'generated charge point password': generated,
    'chosen charge point password': chosen,
    'Basic credentials': basic('CP-S1', generated),
    'wrong Basic credentials': basic('CP-S2', `${chosen}-wrong`),
    AuthorizationKey: AUTHORIZATION_KEY,
    'password from the AuthorizationKey': 'TopSecretAuthKey-42',
    'Basic credentials from the AuthorizationKey': basic('CP-S1', 'TopSecretAuthKey-42'),
    'site token': token,
    'cloud token': cloud.token,
  };
  const places = {
    'local up output': serverOutput,
    'CLI output': cliOutput.join('\n'),
    'session logs': allLogLines,
    'site data directory': Object.values(filesOutsideSecretHomes(dataDir)).join('\n'),
    'cloud data directory': Object.values(filesOutsideSecretHomes(cloud.dataDir)).join('\n'),
  };
  for (const [where, text] of Object.entries(places)) expect(text.length, where).toBeGreaterThan(0);
  expect(secretLeaks(places, secrets)).toEqual([]);
  // The sweep itself must be able to see what it looks for.
  expect(secretLeaks({ 'a planted line': `${installer.password} Basic ${secrets['Basic credentials']}` }, { 'installer password': installer.password })).toHaveLength(2);
}, 120_000);

test('the plain banner shows the first installer password exactly once, and nothing else secret', async () => {
  const dataDir = tempDir();
  const out = await bannerOf(dataDir, 'First start');
  const { password } = JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')) as { password: string };
  expect(out.split(password).length - 1).toBe(1);
  // A second start has no new account to announce.
  const second = await bannerOf(dataDir, 'data');
  expect(second).not.toContain(password);
  expect(second).not.toContain('First start');
});

/** Starts `dynamo local up` on dataDir, waits for the banner to mention `marker`, stops it, returns what it printed. */
async function bannerOf(dataDir: string, marker: string): Promise<string> {
  const up = spawn(process.execPath, [BIN, 'local', 'up', '--port', '0', '--ocpp-port', '0'], {
    env: { ...process.env, DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: tempDir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  up.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  await until(() => out.includes(marker), 10_000, `the banner to mention "${marker}"`);
  await stopProcess(up);
  return out;
}
