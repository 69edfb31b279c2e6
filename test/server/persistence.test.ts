import { afterEach, expect, test } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from '../../src/api/client.js';
import { createStation } from '../../src/sim/create.js';
import { until } from '../helpers/ocpp.js';
import { killHard, SERVE_FIXTURE, spawnJson } from '../helpers/process.js';
import { OCPP_VERSIONS, startServer, tempDir, waitForEnd, type TestServer } from '../helpers/server.js';

let t: TestServer | undefined;
afterEach(async () => t?.stop());

test.each(OCPP_VERSIONS)('OCPP %s: a restart keeps every session, step, log line, issue and charge point', async (ocpp) => {
  t = await startServer();
  await t.station('CP-1', ocpp);
  await t.client.start('CP-1', { skip_test_transaction: true });
  const before = await waitForEnd(t.client, 'CP-1');
  const issue = await t.client.reportIssue('CP-1', { category: 'site_issue', description: 'Bollard too close to the charger cable.', severity: 'low' });
  const logsBefore = await t.client.logs('CP-1', { limit: 5000 });
  const dataDir = t.dataDir;
  await t.stop(false);

  t = await startServer({ dataDir });
  expect(await t.client.status('CP-1')).toEqual(before);
  expect(await t.client.logs('CP-1', { limit: 5000 })).toEqual(logsBefore);
  expect((await t.client.issues('CP-1')).issues.map((i) => i.issue_id)).toEqual([issue.issue_id]);
  expect((await t.client.localChargePoints()).charge_points.map((c) => c.id)).toEqual(['CP-1']);
});

test('data, key and credential files are private (0600, directory 0700)', async () => {
  t = await startServer();
  const mode = (p: string) => statSync(join(t!.dataDir, p)).mode & 0o777;
  expect(mode('.')).toBe(0o700);
  for (const file of ['dynamo.db', 'dynamo.db-wal', 'jwt-signing-key.json', 'installer-credentials.json']) expect(mode(file), file).toBe(0o600);
});

test.each(OCPP_VERSIONS)('OCPP %s: SIGKILL mid-session: the acknowledged records survive and the session is failed at the next start, saying why', async (ocpp) => {
  const dataDir = tempDir();
  const { child, first } = await spawnJson<{ apiUrl: string; ocppUrl: string }>([SERVE_FIXTURE, dataDir]);
  const creds = JSON.parse((await import('node:fs')).readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')) as { email: string; password: string };
  const client = new ApiClient(first.apiUrl, { maxRetries: 0 });
  client.setToken((await client.login(creds.email, creds.password)).access_token);
  const { password } = await client.addLocalChargePoint({ id: 'CP-K' });
  const sim = await createStation({ ocpp, url: first.ocppUrl, id: 'CP-K', password: password!, reconnect: null });
  await sim.start();
  const started = await client.start('CP-K');
  const issue = await client.reportIssue('CP-K', { category: 'hardware_defect', description: 'Cable holster cracked on delivery.', severity: 'medium' });
  await until(() => sim.transaction(1) !== null, 10_000, 'test transaction');
  await killHard(child);
  sim.stop();
  await client.close();

  t = await startServer({ dataDir });
  const status = await t.client.status('CP-K');
  expect(status).toMatchObject({ session_id: started.session_id, status: 'failed', result: 'failed' });
  expect(status.failure_reason).toBe('The server stopped while this session was running (crash or power loss)');
  expect(status.steps.find((s) => s.name === 'test_transaction')).toMatchObject({ status: 'failed', detail: 'Interrupted: the server stopped during this step' });
  expect(status.steps.slice(0, 3).every((s) => s.status === 'passed')).toBe(true);
  const errors = await t.client.logs('CP-K', { level: 'error' });
  expect(errors.logs.at(-1)?.message).toContain('marked failed at restart');
  expect((await t.client.issues('CP-K')).issues.map((i) => i.issue_id)).toEqual([issue.issue_id]);
  expect(t.lines.some((l) => l.includes('1 session(s) interrupted'))).toBe(true);
});

test('templates: a bad file is reported with its path and field and left out; the others load; a new one is picked up live', async () => {
  t = await startServer();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(t.dataDir, 'templates', 'broken.json'), JSON.stringify({ template_id: 'tpl_broken', name: 'Broken', description: '', compatible_models: [], steps: ['teleport'], created_at: '2024-01-01T00:00:00Z' }));
  writeFileSync(join(t.dataDir, 'templates', 'garbage.json'), '{ not json');
  writeFileSync(
    join(t.dataDir, 'templates', 'site.json'),
    JSON.stringify({ template_id: 'tpl_site', name: 'Site', description: 'Ours', compatible_models: [], steps: ['connectivity'], created_at: '2024-01-01T00:00:00Z' }),
  );
  const list = await t.client.templates();
  expect(list.templates.map((x) => x.template_id)).toEqual(['tpl_dc_rapid_50kw', 'tpl_site', 'tpl_standard_ac_22kw']);
  expect(t.lines.some((l) => l.includes('broken.json') && l.includes('steps[0]'))).toBe(true);
  expect(t.lines.some((l) => l.includes('garbage.json') && l.includes('not valid JSON'))).toBe(true);
});

test.each([
  ['1.6', 'StartTransaction'],
  ['2.0.1', 'TransactionEvent'],
] as const)('OCPP %s: logs: exact level filter, session filter, limit and offset pagination, total of the filtered set, every frame', async (ocpp, transactionStart) => {
  t = await startServer();
  await t.station('CP-1', ocpp);
  const first = await t.client.start('CP-1', { skip_test_transaction: true });
  await waitForEnd(t.client, 'CP-1');
  await t.client.start('CP-1');
  await waitForEnd(t.client, 'CP-1');

  const all = await t.client.logs('CP-1', { limit: 5000 });
  expect(all.session_id).not.toBe(first.session_id);
  expect(all.total).toBe(all.logs.length);
  expect(all.logs.map((l) => l.seq)).toEqual(all.logs.map((_, i) => i + 1));
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    const filtered = await t.client.logs('CP-1', { level, limit: 5000 });
    expect(filtered.logs.every((l) => l.level === level)).toBe(true);
    expect(filtered.total).toBe(all.logs.filter((l) => l.level === level).length);
  }
  const pages = [];
  for (let offset = 0; offset < all.total; offset += 7) pages.push(...(await t.client.logs('CP-1', { limit: 7, offset })).logs);
  expect(pages).toEqual(all.logs);
  const old = await t.client.logs('CP-1', { session_id: first.session_id, limit: 5000 });
  expect(old.session_id).toBe(first.session_id);
  expect(old.logs.some((l) => l.message.includes('skipped at the installer'))).toBe(true);

  const debug = all.logs.filter((l) => l.level === 'debug');
  expect(debug.some((l) => l.step === 'heartbeat' && l.message.startsWith('sent [2,') && l.message.includes('"TriggerMessage"'))).toBe(true);
  expect(debug.some((l) => l.step === 'test_transaction' && l.message.startsWith('received [2,') && l.message.includes(`"${transactionStart}"`))).toBe(true);
  expect(all.logs.filter((l) => l.level === 'info').map((l) => l.message)).toEqual(expect.arrayContaining(['Step heartbeat started', expect.stringMatching(/^Step heartbeat passed: /)]));
  const bad = await fetch(`${t.server.apiUrl}/api/v1/installer/commissioning/CP-1/logs?level=loud&limit=0`, { headers: { authorization: `Bearer ${t.token}` } });
  expect(bad.status).toBe(400);
  const body = (await bad.json()) as { error: { details: { field: string }[] } };
  expect(body.error.details.map((d) => d.field).sort()).toEqual(['level', 'limit']);
});
