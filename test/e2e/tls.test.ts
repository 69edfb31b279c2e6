import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, expect, test } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/common/password.js';
import { CsmsServer } from '../../src/ocpp/csms/server.js';
import { SimulatedChargePoint } from '../../src/sim/simulator.js';
import { BIN, cli } from '../helpers/cli.js';
import { until } from '../helpers/ocpp.js';
import { stopProcess } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import { selfSigned } from '../helpers/tls.js';

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

test('security profile 2: wss:// with the operator certificate, Basic auth on top', async () => {
  const tls = selfSigned();
  const hash = await hashPassword('profile-two-password');
  const server = new CsmsServer({ authenticate: (id, pw) => id === 'CP-TLS' && verifyPassword(pw, hash) });
  const { port } = await server.listen(0, '127.0.0.1', { cert: tls.cert, key: tls.key });
  stops.push(() => server.close());
  const url = `wss://127.0.0.1:${port}/ocpp`;

  const trusted = new SimulatedChargePoint({ url, id: 'CP-TLS', password: 'profile-two-password', reconnect: null, wsOptions: { ca: tls.cert } });
  stops.push(() => trusted.stop());
  await trusted.start();
  expect(server.chargePoint('CP-TLS')?.isOpen).toBe(true);

  // A charge point that does not trust the certificate never gets to the OCPP layer.
  const untrusting = new SimulatedChargePoint({ url, id: 'CP-TLS', password: 'profile-two-password', reconnect: null });
  stops.push(() => untrusting.stop());
  await expect(untrusting.connect()).rejects.toThrow(/self[- ]signed certificate/);

  // TLS does not replace the password.
  const statuses: number[] = [];
  const wrong = new SimulatedChargePoint({ url, id: 'CP-TLS', password: 'not-the-password', reconnect: null, wsOptions: { ca: tls.cert } });
  stops.push(() => wrong.stop());
  wrong.client.on('refused', (status) => statuses.push(status));
  await expect(wrong.connect()).rejects.toThrow(/401/);
  expect(statuses).toEqual([401]);
});

test('dynamo local up --tls-cert/--tls-key serves wss://, and dynamo sim --ca connects to it', async () => {
  const tls = selfSigned();
  const dataDir = tempDir();
  const up = spawn(process.execPath, [BIN, 'local', 'up', '--json', '--port', '0', '--ocpp-port', '0', '--tls-cert', tls.certFile, '--tls-key', tls.keyFile], {
    env: { ...process.env, DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: tempDir() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  stops.push(() => stopProcess(up));
  const info = await new Promise<{ ocpp_urls: string[] }>((resolve) => createInterface({ input: up.stdout! }).once('line', (l) => resolve(JSON.parse(l))));
  expect(info.ocpp_urls[0]).toMatch(/^wss:\/\//);
  const added = await cli(['--local', 'local', 'cp', 'add', 'CP-WSS', '--json'], { env: { DYNAMO_DATA_DIR: dataDir } });
  const password = JSON.parse(added.stdout).password as string;
  const port = new URL(info.ocpp_urls[0]!).port;
  const sim = spawn(process.execPath, [BIN, 'sim', '--url', `wss://127.0.0.1:${port}/ocpp`, '--id', 'CP-WSS', '--password', password, '--ca', tls.certFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  stops.push(() => stopProcess(sim));
  let out = '';
  sim.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  await until(() => out.includes('booted'), 10_000, 'the simulator to boot over wss');
  const list = await cli(['--local', 'local', 'cp', 'list', '--json'], { env: { DYNAMO_DATA_DIR: dataDir } });
  expect(JSON.parse(list.stdout).charge_points[0]).toMatchObject({ id: 'CP-WSS', connected: true });
  const bad = await cli(['local', 'up', '--tls-cert', tls.certFile], { env: { DYNAMO_DATA_DIR: tempDir() } });
  expect(bad.code).toBe(2);
});
