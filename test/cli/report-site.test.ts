import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Report } from '../../src/cli/report/model.js';
import { createStation } from '../../src/sim/create.js';
import type { SimulatedStation } from '../../src/sim/station.js';
import { BIN, cli } from '../helpers/cli.js';
import { stopProcess } from '../helpers/process.js';
import { OCPP_VERSIONS, tempDir } from '../helpers/server.js';

/**
 * `dynamo --local report --site` against `dynamo local up` in its own process, as on a laptop:
 * the list of charge points is the local server's, commissioned ones say so, and one that never
 * connected is in the report as not started.
 */
let up: ChildProcess;
let ocppUrl: string;
const dataDir = tempDir();
const configDir = tempDir();
const local = (args: string[]) => cli(['--local', ...args], { env: { DYNAMO_DATA_DIR: dataDir }, configDir, timeoutMs: 60_000 });
const stations: SimulatedStation[] = [];
const ID = { '1.6': 'CP-SITE-16', '2.0.1': 'CS-SITE-201' } as const;

beforeAll(async () => {
  up = spawn(process.execPath, [BIN, 'local', 'up', '--json', '--port', '0', '--ocpp-port', '0', '--heartbeat-interval', '3600'], {
    env: { ...process.env, DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: configDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<{ ocpp_urls: string[] }>((resolve) => createInterface({ input: up.stdout! }).once('line', (l) => resolve(JSON.parse(l))));
  ocppUrl = info.ocpp_urls[0]!;
  for (const ocpp of OCPP_VERSIONS) {
    const added = await local(['local', 'cp', 'add', ID[ocpp], '--json']);
    const { password } = JSON.parse(added.stdout) as { password: string };
    const station = await createStation({ ocpp, url: ocppUrl, id: ID[ocpp], password, reconnect: { minDelayMs: 50, maxDelayMs: 200 }, rebootDelayMs: 100 });
    stations.push(station);
    await station.start();
  }
  expect((await local(['local', 'cp', 'add', 'CP-SITE-LATER', '--json'])).code).toBe(0);
}, 60_000);
afterAll(async () => {
  for (const s of stations) s.stop();
  expect(await stopProcess(up)).toBe(0);
});

test('--site: every charge point of the local server, both versions, the commissioned one said so', async () => {
  for (const ocpp of OCPP_VERSIONS) {
    // Without the test transaction, to keep the run short: the report says it was skipped.
    const started = await local(['start', ID[ocpp], '--skip-test-transaction', '--wait']);
    expect(started.code, started.stdout + started.stderr).toBe(0);
  }
  expect((await local(['commission', ID['1.6']])).code).toBe(0);

  const out = join(tempDir(), 'site.json');
  const r = await local(['report', '--site', '--format', 'json', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  expect(statSync(out).mode & 0o777).toBe(0o600);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  expect(report.server).toMatchObject({ kind: 'local', api_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
  expect(report.charge_points.map((c) => c.charge_point_id).sort()).toEqual(['CP-SITE-16', 'CP-SITE-LATER', 'CS-SITE-201']);
  const by = new Map(report.charge_points.map((c) => [c.charge_point_id, c]));
  expect(by.get(ID['1.6'])!.verdict).toMatchObject({ status: 'commissioned', sign_off: true, headline: 'Commissioned' });
  expect(by.get(ID['2.0.1'])!.verdict).toMatchObject({ status: 'passed', sign_off: true });
  expect(by.get(ID['2.0.1'])!.steps.find((s) => s.name === 'test_transaction')).toMatchObject({ status: 'skipped' });
  expect(by.get(ID['2.0.1'])!.session).toMatchObject({ skip_test_transaction: true, installer_id: expect.stringMatching(/^inst_/) });
  expect(by.get('CP-SITE-LATER')!.verdict.status).toBe('not_started');
  expect(report.summary).toMatchObject({ charge_points: 3, commissioned: 1, passed: 1, not_started: 1, sign_off: 2 });

  // The reader of the Markdown learns where the facts came from, not the laptop's loopback URL.
  const md = await local(['report', '--site', '--format', 'md']);
  expect(md.code, md.stderr).toBe(0);
  expect(md.stdout).toContain("from the site's local server (dynamo local up on the installer's laptop)");
  expect(md.stdout).not.toContain('127.0.0.1');

  // Ids and --site are one or the other.
  expect((await local(['report', '--site', ID['1.6']])).code).toBe(2);
}, 90_000);
