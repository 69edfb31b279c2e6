import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SessionRecord } from '../../src/api/contract.js';
import { cpPath, http } from '../helpers/http.js';
import { startServer, type TestServer, waitForEnd } from '../helpers/server.js';

/**
 * Receiving sync is the hosted API's role. On a site server the sync routes do not exist, so a
 * token (even one scoped to one charge point) cannot plant a passed session and commission a
 * charge point that never connected, nor put lines into a session the site ran.
 */
let site: TestServer;
let cloud: TestServer;
beforeAll(async () => {
  site = await startServer();
  cloud = await startServer({ hosted: true });
  await site.addChargePoint('CP-NEVER-CONNECTED');
  await cloud.addChargePoint('CP-1');
});
afterAll(async () => {
  await site.stop();
  await cloud.stop();
});

const forged = (chargePointId: string, sessionId: string, at = '2099-01-01T00:00:00Z'): SessionRecord => ({
  charge_point_id: chargePointId,
  session_id: sessionId,
  status: 'completed',
  result: 'passed',
  started_at: at,
  completed_at: at,
  template_id: 'tpl_standard_ac_22kw',
  steps: [{ name: 'connectivity', status: 'passed', duration_ms: 1, detail: 'trust me' }],
});

test('a site server has no sync routes: a forged passed session cannot commission a charge point', async () => {
  const put = await http(site.server.apiUrl, 'PUT', cpPath('CP-NEVER-CONNECTED', 'sessions/comm_forged00000001'), { token: site.token, body: forged('CP-NEVER-CONNECTED', 'comm_forged00000001', HOUR_AGO) });
  expect(put.status).toBe(404);
  expect(put.body.error.message).toContain('site server');
  const commission = await http(site.server.apiUrl, 'POST', '/api/v1/installer/charge-points/CP-NEVER-CONNECTED/commission', { token: site.token });
  expect(commission.status).toBe(409);
  expect(commission.body.error.code).toBe('checks_not_passed');
});

test("a site server takes no log lines into its own session", async () => {
  await site.simulator('CP-REAL');
  await site.client.start('CP-REAL', { skip_test_transaction: true });
  const session = await waitForEnd(site.client, 'CP-REAL');
  const before = (await site.client.logs('CP-REAL', { limit: 1 })).total;
  const injected = await http(site.server.apiUrl, 'POST', cpPath('CP-REAL', `sessions/${session.session_id}/logs`), {
    token: site.token,
    body: { logs: [{ seq: before + 1, timestamp: new Date().toISOString(), level: 'info', step: null, message: 'CP-REAL commissioned by the vendor' }] },
  });
  expect(injected.status).toBe(404);
  expect((await site.client.logs('CP-REAL', { limit: 1 })).total).toBe(before);
});

/** The past whatever the clock says (a fixed date would be the future on a runner set earlier). */
const HOUR_AGO = new Date(Date.now() - 3_600_000).toISOString();

test('the hosted stand-in refuses records from the future, naming the field', async () => {
  const put = await http(cloud.server.apiUrl, 'PUT', cpPath('CP-1', 'sessions/comm_future0000001'), { token: cloud.token, body: forged('CP-1', 'comm_future0000001') });
  expect(put.status).toBe(400);
  expect(put.body.error.details).toEqual([{ field: 'started_at', issue: 'in_the_future' }]);
  const logs = await http(cloud.server.apiUrl, 'POST', cpPath('CP-1', 'sessions/comm_future0000001/logs'), {
    token: cloud.token,
    body: { logs: [{ seq: 1, timestamp: HOUR_AGO, level: 'info', step: null, message: 'ok' }, { seq: 2, timestamp: '2099-01-01T00:00:00Z', level: 'info', step: null, message: 'from the future' }] },
  });
  expect(logs.status).toBe(400);
  expect(logs.body.error.details).toEqual([{ field: 'logs[1].timestamp', issue: 'in_the_future' }]);
});

test('the hosted stand-in takes no lines into a session it ran itself', async () => {
  await cloud.simulator('CP-CLOUD');
  await cloud.client.start('CP-CLOUD', { skip_test_transaction: true });
  const session = await waitForEnd(cloud.client, 'CP-CLOUD');
  const r = await http(cloud.server.apiUrl, 'POST', cpPath('CP-CLOUD', `sessions/${session.session_id}/logs`), {
    token: cloud.token,
    body: { logs: [{ seq: 9999, timestamp: new Date().toISOString(), level: 'info', step: null, message: 'injected' }] },
  });
  expect(r.status).toBe(409);
});

test("a site server takes no charge point log lines either; the hosted side refuses ones from the future or for another charge point", async () => {
  const event = (cp: string, at = HOUR_AGO) => ({ id: '0b6f1c3e-8f7a-4c5d-9e2b-1a2b3c4d5e6f', charge_point_id: cp, timestamp: at, level: 'info', topic: 'firmware', ref: null, message: 'Firmware update done' });
  const path = (cp: string) => `/api/v1/installer/charge-points/${cp}/events`;
  const onSite = await http(site.server.apiUrl, 'POST', path('CP-NEVER-CONNECTED'), { token: site.token, body: { events: [event('CP-NEVER-CONNECTED')] } });
  expect(onSite.status).toBe(404);
  expect(site.server.store.events.list('CP-NEVER-CONNECTED')).toEqual([]);
  expect((await http(cloud.server.apiUrl, 'POST', path('CP-1'), { token: cloud.token, body: { events: [event('CP-1', '2099-01-01T00:00:00Z')] } })).status).toBe(400);
  expect((await http(cloud.server.apiUrl, 'POST', path('CP-1'), { token: cloud.token, body: { events: [event('CP-2')] } })).status).toBe(400);
  const first = await http(cloud.server.apiUrl, 'POST', path('CP-1'), { token: cloud.token, body: { events: [event('CP-1')] } });
  const again = await http(cloud.server.apiUrl, 'POST', path('CP-1'), { token: cloud.token, body: { events: [event('CP-1')] } });
  expect([first.body, again.body]).toEqual([{ charge_point_id: 'CP-1', accepted: 1, duplicates: 0 }, { charge_point_id: 'CP-1', accepted: 0, duplicates: 1 }]);
});
