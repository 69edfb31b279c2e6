import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JWK, SignJWT, generateKeyPair, importJWK } from 'jose';
import { hashPassword } from '../../src/common/password.js';
import { cpPath, http } from '../helpers/http.js';
import { startServer, waitForEnd, type TestServer } from '../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
  await t.simulator('CP-1');
  await t.addChargePoint('CP-OFFLINE');
});
afterAll(async () => t.stop());

const call = (method: string, path: string, options: Parameters<typeof http>[3] = {}) =>
  http(t.server.apiUrl, method, path, { token: t.token, ...options });

describe('authentication', () => {
  test('login returns a bearer JWT with expiry and installer id', async () => {
    const creds = t.server.createdCredentials!;
    const r = await http(t.server.apiUrl, 'POST', '/api/v1/installer/login', { body: creds });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 43200, installer_id: expect.stringMatching(/^inst_/) });
    expect(r.body.access_token.split('.')).toHaveLength(3);
  });

  test('a wrong password is 401 unauthorized, in the error shape', async () => {
    const r = await http(t.server.apiUrl, 'POST', '/api/v1/installer/login', { body: { email: 'installer@dynamo.local', password: 'nope' } });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: [] } });
  });

  test('every route but login and /healthz needs a valid token', async () => {
    expect((await http(t.server.apiUrl, 'GET', '/healthz')).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/v1/installer/commissioning/templates'],
      ['POST', cpPath('CP-1', 'start')],
      ['GET', cpPath('CP-1', 'status')],
      ['GET', cpPath('CP-1', 'logs')],
      ['GET', cpPath('CP-1', 'diagnostics')],
      ['POST', cpPath('CP-1', 'report-issue')],
      ['POST', '/api/v1/installer/charge-points/CP-1/commission'],
      ['PUT', '/api/v1/installer/commissioning/CP-1/sessions/comm_x'],
      ['GET', '/api/v1/local/charge-points'],
    ] as const) {
      const r = await http(t.server.apiUrl, method, path, method === 'GET' ? {} : { body: {} });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
      expect(r.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  test('tokens that are garbage, unsigned (alg none), signed by another key, for another audience or expired are refused', async () => {
    const claims = { scope: ['*'] };
    const now = Math.floor(Date.now() / 1000);
    const header = (obj: object) => Buffer.from(JSON.stringify(obj)).toString('base64url');
    const unsigned = `${header({ alg: 'none', typ: 'JWT' })}.${header({ ...claims, sub: 'inst_x', iss: 'dynamo-local', aud: 'dynamo-installer-api', exp: now + 3600 })}.`;
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const sign = (aud: string, exp: number) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).setIssuer('dynamo-local').setAudience(aud).setSubject('inst_x').setExpirationTime(exp).sign(other.privateKey);
    for (const token of ['garbage', unsigned, await sign('dynamo-installer-api', now + 3600)]) {
      const r = await call('GET', cpPath('CP-1', 'diagnostics'), { token });
      expect(r.status).toBe(401);
    }
    // With the server's own key: only the right audience, issuer and an unexpired token pass.
    const jwk = JSON.parse(readFileSync(join(t.dataDir, 'jwt-signing-key.json'), 'utf8')) as JWK;
    const key = await importJWK(jwk, 'EdDSA');
    const own = (aud: string, iss: string, exp: number) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).setIssuer(iss).setAudience(aud).setSubject('inst_x').setExpirationTime(exp).sign(key);
    expect((await call('GET', cpPath('CP-1', 'diagnostics'), { token: await own('dynamo-installer-api', 'dynamo-local', now + 60) })).status).toBe(200);
    expect((await call('GET', cpPath('CP-1', 'diagnostics'), { token: await own('someone-else', 'dynamo-local', now + 60) })).status).toBe(401);
    expect((await call('GET', cpPath('CP-1', 'diagnostics'), { token: await own('dynamo-installer-api', 'evil', now + 60) })).status).toBe(401);
    const expired = await call('GET', cpPath('CP-1', 'diagnostics'), { token: await own('dynamo-installer-api', 'dynamo-local', now - 60) });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain('expired');
  });

  test('a token scoped to other charge points gets 403 forbidden', async () => {
    t.server.store.installers.create('scoped@example.com', await hashPassword('scoped-password-1'), ['CP-OTHER']);
    const login = await http(t.server.apiUrl, 'POST', '/api/v1/installer/login', { body: { email: 'scoped@example.com', password: 'scoped-password-1' } });
    const r = await call('GET', cpPath('CP-1', 'diagnostics'), { token: login.body.access_token });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect((await call('GET', '/api/v1/local/charge-points', { token: login.body.access_token })).status).toBe(403);
  });
});

describe('validation', () => {
  const report = (body: unknown) => call('POST', cpPath('CP-1', 'report-issue'), { body });
  const good = { category: 'network_problem', description: 'Drops the WebSocket after about five seconds.', severity: 'high' };

  test.each([
    ['missing category', { description: good.description, severity: 'high' }, 'category'],
    ['description under 20 characters', { ...good, description: 'too short' }, 'description'],
    ['unknown category', { ...good, category: 'gremlins' }, 'category'],
    ['unknown severity', { ...good, severity: 'apocalyptic' }, 'severity'],
    ['unknown step', { ...good, step: 'vibes' }, 'step'],
    ['photo URL that is not http(s)', { ...good, photo_urls: ['ftp://example.com/a.jpg'] }, 'photo_urls[0]'],
    ['a field the API does not have', { ...good, sevirity: 'low' }, 'sevirity'],
    ['a wrong type', { ...good, photo_urls: 'https://example.com/a.jpg' }, 'photo_urls'],
  ])('%s → 400 validation_error naming the field', async (_name, body, field) => {
    const r = await report(body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_error');
    expect(r.body.error.message).toContain(field);
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  test('a short description padded with spaces is still short; one with spaces inside is fine', async () => {
    const padded = await report({ ...good, description: `      too short      ${' '.repeat(20)}` });
    expect(padded.status).toBe(400);
    expect(padded.body.error.message).toBe('description must be at least 20 characters, not counting spaces at either end');
    // On the offline charge point: the issue list of CP-1 is another test's.
    const inner = await call('POST', cpPath('CP-OFFLINE', 'report-issue'), { body: { ...good, description: ' Cable  lock   jams  \n on connector 2 ' } });
    expect(inner.status).toBe(201);
  });

  test('malformed JSON → 400', async () => {
    const r = await call('POST', cpPath('CP-1', 'report-issue'), { raw: '{"category":', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_error');
  });

  test('a body over 1 MB → 413 payload_too_large', async () => {
    const r = await call('POST', cpPath('CP-1', 'report-issue'), {
      raw: JSON.stringify({ ...good, description: 'x'.repeat(1_100_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('payload_too_large');
  });

  test('start with a skip flag that is not a boolean → 400 naming it', async () => {
    const r = await call('POST', cpPath('CP-1', 'start'), { body: { skip_test_transaction: 'yes' } });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].field).toBe('skip_test_transaction');
  });

  test('unknown routes are 404 and wrong methods 405 with Allow', async () => {
    expect((await call('GET', '/api/v1/nothing')).status).toBe(404);
    const r = await call('DELETE', cpPath('CP-1', 'status'));
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET');
  });
});

describe('the error table', () => {
  test('404 not_found: unknown charge point, unknown template', async () => {
    const unknown = await call('POST', cpPath('CP-NOPE', 'start'), { body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const template = await call('POST', cpPath('CP-1', 'start'), { body: { template_id: 'tpl_nope' } });
    expect(template.status).toBe(404);
    expect(template.body.error.message).toContain('tpl_nope');
  });

  test('409 not_connected for a known charge point that is offline', async () => {
    const r = await call('POST', cpPath('CP-OFFLINE', 'start'), { body: {} });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('not_connected');
  });

  test('409 checks_not_passed, 409 session_already_running, then commission, then 422 already_commissioned', async () => {
    const early = await call('POST', '/api/v1/installer/charge-points/CP-1/commission');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('checks_not_passed');

    const first = await call('POST', cpPath('CP-1', 'start'), { body: { skip_test_transaction: true } });
    expect(first.status).toBe(202);
    const second = await call('POST', cpPath('CP-1', 'start'), { body: {} });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('session_already_running');
    const end = await waitForEnd(t.client, 'CP-1');
    expect(end.result).toBe('passed');
    expect(end.steps.find((s) => s.name === 'test_transaction')).toMatchObject({ status: 'skipped' });

    const done = await call('POST', '/api/v1/installer/charge-points/CP-1/commission');
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ charge_point_id: 'CP-1', status: 'commissioned', commissioned_at: expect.any(String), session_id: first.body.session_id });
    for (const path of [cpPath('CP-1', 'start'), cpPath('CP-1', 'restart'), '/api/v1/installer/charge-points/CP-1/commission']) {
      const r = await call('POST', path, { body: {} });
      expect(r.status, path).toBe(422);
      expect(r.body.error.code).toBe('already_commissioned');
    }
  });

  test('409 no_active_session for pause, resume and stop without a session', async () => {
    for (const action of ['pause', 'resume', 'stop']) {
      const r = await call('POST', cpPath('CP-OFFLINE', action));
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('no_active_session');
    }
  });
});

describe('other routes', () => {
  test('templates list, in the reference shape', async () => {
    const r = await call('GET', '/api/v1/installer/commissioning/templates');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(r.body.templates[1]).toEqual({
      template_id: 'tpl_standard_ac_22kw',
      name: 'Standard AC 22kW',
      description: 'Default commissioning for Type 2 AC chargers up to 22kW.',
      compatible_models: ['ABB Terra AC W22-G5', 'Schneider EVlink Pro AC'],
      steps: ['connectivity', 'heartbeat', 'configuration', 'test_transaction'],
      created_at: '2024-01-01T00:00:00Z',
    });
    expect(r.body.templates[0].steps).toContain('connector_test');
  });

  test('report-issue is 201 in the reference shape, listed by issues; an Idempotency-Key replays the first answer', async () => {
    const body = { ...goodIssue(), step: 'connectivity', photo_urls: ['https://storage.example.com/photos/cp_lcd.jpg'] };
    const created = await call('POST', cpPath('CP-1', 'report-issue'), { body, headers: { 'Idempotency-Key': 'k-123' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      issue_id: expect.stringMatching(/^iss_/),
      charge_point_id: 'CP-1',
      category: 'network_problem',
      severity: 'high',
      status: 'open',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      reference_number: expect.stringMatching(/^LOC-\d{4}-\d{5}$/),
    });
    const again = await call('POST', cpPath('CP-1', 'report-issue'), { body, headers: { 'Idempotency-Key': 'k-123' } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(created.body);
    const list = await call('GET', cpPath('CP-1', 'issues'));
    expect(list.body.total).toBe(1);
    expect(list.body.issues[0]).toMatchObject({
      issue_id: created.body.issue_id,
      category: 'network_problem',
      severity: 'high',
      status: 'open',
      reference_number: created.body.reference_number,
    });
  });

  test('diagnostics: what the charge point reported, null for what it cannot tell', async () => {
    const r = await call('GET', cpPath('CP-1', 'diagnostics'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      charge_point_id: 'CP-1',
      firmware: { version: '1.4.2', vendor: 'Dynamo', last_updated: null },
      ocpp: { version: '1.6', supported_features: ['Core', 'FirmwareManagement', 'LocalAuthListManagement', 'RemoteTrigger'] },
      network: { interface: null, ip_address: '127.0.0.1', signal_strength: null, dns_resolution_ok: null, ntp_synced: null },
      hardware: { connectors: 1, meter_type: 'MID certified', rcd_present: null },
    });
    expect(r.body.configuration_readonly_keys).toEqual(expect.arrayContaining(['ChargePointVendor', 'ChargePointModel', 'ChargePointSerialNumber', 'NumberOfConnectors']));
  });
});

function goodIssue() {
  return { category: 'network_problem', description: 'Charge point connects briefly then drops the WebSocket.', severity: 'high' };
}
