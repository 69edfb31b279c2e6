import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { ChargePointClient } from '../../src/ocpp/cp/client.js';
import { filesOutsideSecretHomes, secretLeaks } from '../helpers/secrets.js';
import { OCPP_VERSIONS, startServer, waitForEnd, writeTemplate, type TestServer } from '../helpers/server.js';

let t: TestServer;
afterEach(async () => t?.stop());

/** Whether the server takes `password` for `id` now: a connection of its own, closed at once. */
async function accepts(id: string, password: string | Uint8Array): Promise<boolean> {
  const client = new ChargePointClient({ url: t.server.ocppUrl, id, password, reconnect: null });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** What `dynamo local cp list` shows: a new password offered that CP-1 has not used yet. */
const pending = async (): Promise<boolean> => (await t.client.localChargePoints()).charge_points.find((c) => c.id === 'CP-1')!.new_password_pending;

/**
 * How each version sets a charge point's password: 1.6 an AuthorizationKey of hex for 16-20
 * random bytes (the security whitepaper), 2.0.1 SecurityCtrlr.BasicAuthPassword, the password
 * itself (A01).
 */
const V = {
  '1.6': {
    setting: 'AuthorizationKey',
    newKey: (): string => randomBytes(20).toString('hex'),
    password: (key: string): Uint8Array => Buffer.from(key, 'hex'),
    template: (key: string) => ({ configuration: { AuthorizationKey: key, HeartbeatInterval: '300' } }),
    noun: 'configuration keys',
    sentInOrder: (m: string) => (m.includes('"ChangeConfiguration"') ? (/"key":"(\w+)"/.exec(m)?.[1] ?? null) : null),
    order: ['HeartbeatInterval', 'AuthorizationKey'],
    accepted: 'AuthorizationKey accepted: the charge point connects with its new password from now on; the old one works until it does',
  },
  '2.0.1': {
    setting: 'SecurityCtrlr.BasicAuthPassword',
    newKey: (): string => randomBytes(15).toString('base64url'),
    password: (key: string): Uint8Array => Buffer.from(key, 'utf8'),
    template: (key: string) => ({
      variables: [
        { component: 'SecurityCtrlr', variable: 'BasicAuthPassword', value: key },
        { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '300' },
      ],
    }),
    noun: 'variables',
    sentInOrder: (m: string) => (m.startsWith('sent') && m.includes('"SetVariables"') ? [...m.matchAll(/"variable":\{"name":"(\w+)"/g)].map((x) => x[1]).join(',') : null),
    order: ['HeartbeatInterval', 'BasicAuthPassword'],
    accepted: 'BasicAuthPassword accepted: the station connects with its new password from now on; the old one works until it does',
  },
} as const;

function rotatingTemplate(ocpp: keyof typeof V, key: string): void {
  // The password is listed first on purpose: the engine sends it last.
  writeTemplate(t.dataDir, { template_id: 'tpl_rotate', steps: ['connectivity', 'configuration', 'test_transaction'], ...V[ocpp].template(key) });
}

describe.each(OCPP_VERSIONS)('OCPP %s', (ocpp) => {
  const v = V[ocpp];

  test('the new password goes last; the charge point reconnects with it, and it becomes its only password', async () => {
    t = await startServer();
    const key = v.newKey();
    rotatingTemplate(ocpp, key);
    const oldPassword = await t.addChargePoint('CP-1');
    const sim = await t.station('CP-1', ocpp);
    let connections = 0;
    sim.on('connected', () => (connections += 1));

    await t.client.start('CP-1', { template_id: 'tpl_rotate' });
    const end = await waitForEnd(t.client, 'CP-1');
    expect(end).toMatchObject({ status: 'completed', result: 'passed' });
    expect(end.steps.find((s) => s.name === 'configuration')).toMatchObject({ status: 'passed', detail: `All 2 ${v.noun} applied` });
    // It reconnected once, for the new password, and the test transaction ran over the new link.
    expect(connections).toBe(1);

    const sent = (await t.client.logs('CP-1', { level: 'debug', limit: 1000 })).logs.map((l) => v.sentInOrder(l.message)).filter((x) => x !== null);
    expect(sent.join(',').split(',').filter((n) => (v.order as readonly string[]).includes(n))).toEqual(v.order);
    const info = (await t.client.logs('CP-1', { level: 'info' })).logs.map((l) => l.message);
    expect(info).toContain(v.accepted);
    expect(t.lines).toContain('CP-1 connected with the new password the template gave it; the old one no longer works');

    expect(await pending()).toBe(false);
    expect(await accepts('CP-1', oldPassword)).toBe(false);
    expect(await accepts('CP-1', v.password(key))).toBe(true);
    if (ocpp === '1.6') expect(await accepts('CP-1', key)).toBe(false);

    const basic = (password: Uint8Array) => Buffer.concat([Buffer.from('CP-1:'), password]).toString('base64');
    const secrets = { 'the new password': key, 'Basic credentials with it': basic(v.password(key)) };
    expect(secretLeaks({ 'server output': t.lines.join('\n'), ...filesOutsideSecretHomes(t.dataDir) }, secrets)).toEqual([]);
  });

  test('a charge point that refuses the new password keeps its old one, and the offered one is withdrawn', async () => {
    t = await startServer();
    const key = v.newKey();
    rotatingTemplate(ocpp, key);
    const oldPassword = await t.addChargePoint('CP-1');
    await t.station('CP-1', ocpp, { faults: { rejectSettings: [v.setting] } });
    await t.client.start('CP-1', { template_id: 'tpl_rotate' });
    const end = await waitForEnd(t.client, 'CP-1');
    expect(end.steps.find((s) => s.name === 'configuration')).toMatchObject({ status: 'passed', detail: `1 of 2 ${v.noun} applied; rejected: ${v.setting}` });
    expect(await pending()).toBe(false);
    expect(await accepts('CP-1', v.password(key))).toBe(false);
    expect(await accepts('CP-1', oldPassword)).toBe(true);
  });

  /**
   * Firmware that says Accepted and switches later (or an answer lost on the way): the password
   * pushed by apply-template, outside a session, with no reconnect after it.
   */
  async function offerNotTakenYet(): Promise<{ key: string; oldPassword: string }> {
    t = await startServer();
    const key = v.newKey();
    const oldPassword = await t.addChargePoint('CP-1');
    const only = v.template(key);
    const first = 'configuration' in only ? { configuration: { AuthorizationKey: key } } : { variables: [only.variables[0]] };
    writeTemplate(t.dataDir, { template_id: 'tpl_key_only', steps: ['configuration'], ...first });
    await t.station('CP-1', ocpp, { faults: { ignoreSettings: [v.setting] } });
    expect(await t.client.applyTemplate('CP-1', 'tpl_key_only')).toMatchObject({ applied_keys: 1, rejected_keys: [] });
    expect(await pending()).toBe(true);
    return { key, oldPassword };
  }

  test('until the charge point uses the new password the old one works; the first use of the new one ends the old', async () => {
    const { key, oldPassword } = await offerNotTakenYet();
    expect(await accepts('CP-1', oldPassword)).toBe(true);
    expect(await pending()).toBe(true);
    expect(await accepts('CP-1', v.password(key))).toBe(true);
    expect(await pending()).toBe(false);
    expect(await accepts('CP-1', oldPassword)).toBe(false);
  });

  test('the offer survives a restart of the server', async () => {
    const { key, oldPassword } = await offerNotTakenYet();
    await t.stop(false);
    t = await startServer({ dataDir: t.dataDir });
    expect(await accepts('CP-1', oldPassword)).toBe(true);
    expect(await accepts('CP-1', v.password(key))).toBe(true);
    expect(await accepts('CP-1', oldPassword)).toBe(false);
  });
});

test('OCPP 1.6: firmware that takes the key as text is not locked out: the text becomes its password', async () => {
  t = await startServer();
  const key = V['1.6'].newKey();
  rotatingTemplate('1.6', key);
  await t.simulator('CP-1', { faults: { authorizationKeyAsText: true } });
  await t.client.start('CP-1', { template_id: 'tpl_rotate' });
  expect(await waitForEnd(t.client, 'CP-1')).toMatchObject({ result: 'passed' });
  expect(await accepts('CP-1', key)).toBe(true);
  expect(await accepts('CP-1', Buffer.from(key, 'hex'))).toBe(false);
});

test('a template whose AuthorizationKey or BasicAuthPassword cannot be a password is left out, naming the setting', async () => {
  t = await startServer();
  writeTemplate(t.dataDir, { template_id: 'tpl_short_key', steps: ['configuration'], configuration: { AuthorizationKey: 'short' } });
  writeTemplate(t.dataDir, { template_id: 'tpl_long_key', steps: ['configuration'], configuration: { AuthorizationKey: { value: V['1.6'].newKey() + 'ab', required: true } } });
  writeTemplate(t.dataDir, { template_id: 'tpl_good_key', steps: ['configuration'], configuration: { AuthorizationKey: { value: V['1.6'].newKey(), required: true } } });
  writeTemplate(t.dataDir, { template_id: 'tpl_spaced_password', steps: ['configuration'], variables: [{ component: 'SecurityCtrlr', variable: 'BasicAuthPassword', value: 'a password with spaces' }] });
  const ids = (await t.client.templates()).templates.map((x) => x.template_id);
  expect(ids).toContain('tpl_good_key');
  expect(ids).not.toContain('tpl_short_key');
  expect(ids).not.toContain('tpl_long_key');
  expect(ids).not.toContain('tpl_spaced_password');
  const reported = (file: string) => t.lines.find((l) => l.includes(`${file} left out`))?.split(' left out: ')[1];
  expect(reported('tpl_short_key.json')).toBe('configuration.AuthorizationKey must be 16 to 40 printable ASCII characters, without spaces');
  expect(reported('tpl_long_key.json')).toBe('configuration.AuthorizationKey.value must be 16 to 40 printable ASCII characters, without spaces');
  expect(reported('tpl_spaced_password.json')).toBe('variables[0].value must be 16 to 40 printable ASCII characters, without spaces');
});

test('OCPP 1.6: a charge point that reconnects with its new password a moment later: the next step waits for it and passes', async () => {
  t = await startServer();
  rotatingTemplate('1.6', V['1.6'].newKey());
  await t.addChargePoint('CP-1');
  // It answers every call 200 ms late and reconnects 100 ms after taking the key: before the fix
  // the test transaction's RemoteStart went out on the old connection, which closed under it, and
  // the session failed with "OCPP connection closed: new AuthorizationKey".
  const sim = await t.simulator('CP-1', { passwordSwitchDelayMs: 100, faults: { slowResponsesMs: 200 } });
  let connections = 0;
  sim.on('connected', () => (connections += 1));
  await t.client.start('CP-1', { template_id: 'tpl_rotate' });
  const end = await waitForEnd(t.client, 'CP-1');
  expect(end, JSON.stringify(end.steps)).toMatchObject({ status: 'completed', result: 'passed' });
  expect(connections).toBe(1);
  const info = (await t.client.logs('CP-1', { level: 'info' })).logs.map((l) => l.message);
  expect(info).toContain('The charge point reconnected with its new password');
});

test('OCPP 1.6: firmware that takes the key but stays on its connection: the session goes on after the wait', async () => {
  t = await startServer();
  rotatingTemplate('1.6', V['1.6'].newKey());
  await t.addChargePoint('CP-1');
  await t.simulator('CP-1', { passwordSwitchDelayMs: 60_000 });
  await t.client.start('CP-1', { template_id: 'tpl_rotate' });
  const end = await waitForEnd(t.client, 'CP-1');
  expect(end).toMatchObject({ status: 'completed', result: 'passed' });
  const info = (await t.client.logs('CP-1', { level: 'info' })).logs.map((l) => l.message);
  expect(info.some((m) => /^Still connected with the old password after \d+ s/.test(m))).toBe(true);
});
