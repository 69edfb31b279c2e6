import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SessionRecord } from '../../src/api/contract.js';
import { cpPath, http } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';

let cloud: TestServer;
beforeAll(async () => {
  cloud = await startServer({ hosted: true });
  await cloud.addChargePoint('CP-1');
});
afterAll(async () => cloud.stop());

const record: SessionRecord = {
  charge_point_id: 'CP-1',
  session_id: 'comm_00000000000000aa',
  status: 'completed',
  result: 'passed',
  started_at: '2024-03-10T14:30:00Z',
  completed_at: '2024-03-10T14:32:15Z',
  template_id: 'tpl_standard_ac_22kw',
  steps: [
    { name: 'connectivity', status: 'passed', duration_ms: 342, detail: 'WebSocket connected successfully' },
    { name: 'heartbeat', status: 'passed', duration_ms: 1050, detail: 'Heartbeat received within 2s' },
  ],
};

test('PUT session stores the record as sent; repeating it changes nothing', async () => {
  expect(await cloud.client.putSession(record)).toEqual({ charge_point_id: 'CP-1', session_id: record.session_id, stored: true });
  await cloud.client.putSession(record);
  expect(await cloud.client.status('CP-1')).toEqual(record);
});

test('POST logs ignores a (session, seq) it already has', async () => {
  const line = (seq: number) => ({ seq, timestamp: '2024-03-10T14:30:01.000Z', level: 'info' as const, step: 'connectivity' as const, message: `line ${seq}` });
  expect(await cloud.client.postSessionLogs('CP-1', record.session_id, [line(1), line(2)])).toEqual({ session_id: record.session_id, accepted: 2, duplicates: 0 });
  expect(await cloud.client.postSessionLogs('CP-1', record.session_id, [line(2), line(3)])).toEqual({ session_id: record.session_id, accepted: 1, duplicates: 1 });
  const logs = await cloud.client.logs('CP-1', { session_id: record.session_id });
  expect(logs.logs.map((l) => l.message)).toEqual(['line 1', 'line 2', 'line 3']);
});

test('the hosted side numbers issues DYN-… and keeps no outbox', async () => {
  const issue = await cloud.client.reportIssue('CP-1', { category: 'other', description: 'Something needs the support team.', severity: 'low' });
  expect(issue.reference_number).toMatch(/^DYN-\d{4}-\d{5}$/);
  expect(cloud.server.store.outbox.counts()).toEqual({ pending: 0, sent: 0, parked: 0 });
  expect((await cloud.client.issues('CP-1')).issues[0]).not.toHaveProperty('sync_state');
});

test('a record whose ids do not match the path is 400; an unknown charge point is 404', async () => {
  const mismatch = await http(cloud.server.apiUrl, 'PUT', '/api/v1/installer/commissioning/CP-1/sessions/comm_other', { token: cloud.token, body: record });
  expect(mismatch.status).toBe(400);
  expect(mismatch.body.error.details[0].field).toBe('session_id');
  const unknown = await http(cloud.server.apiUrl, 'PUT', `/api/v1/installer/commissioning/CP-9/sessions/${record.session_id}`, {
    token: cloud.token,
    body: { ...record, charge_point_id: 'CP-9' },
  });
  expect(unknown.status).toBe(404);
  const logs = await http(cloud.server.apiUrl, 'POST', `${cpPath('CP-1', 'sessions')}/x/logs`, { token: cloud.token, body: { logs: [{ seq: 0 }] } });
  expect(logs.status).toBe(400);
});
