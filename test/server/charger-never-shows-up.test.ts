import { afterEach, describe, expect, test } from 'vitest';
import { createStation } from '../../src/sim/create.js';
import type { SimulatedStation } from '../../src/sim/station.js';
import { cli } from '../helpers/cli.js';
import { until } from '../helpers/ocpp.js';
import { OCPP_VERSIONS, startServer, type TestServer } from '../helpers/server.js';

/**
 * A charger refused at the upgrade, or sharing its id with another, is said where the installer
 * looks: the server's terminal, `local cp list`, and `start`. Commands run as real processes.
 */
let t: TestServer;
const extra: SimulatedStation[] = [];
afterEach(async () => {
  for (const s of extra.splice(0)) s.stop();
  await t.stop();
});

const run = (args: string[]) => cli(['--api-url', t.server.apiUrl, ...args], { env: { DYNAMO_TOKEN: t.token } });
const QUICK = { reconnect: { minDelayMs: 50, maxDelayMs: 200 }, rebootDelayMs: 100 };

describe.each(OCPP_VERSIONS)('OCPP %s', (ocpp) => {
  test('a wrong password: a line in the server terminal, the last refusal in local cp list, and start names it', async () => {
    t = await startServer();
    await t.station('CP-SITE42-001', ocpp, { faults: { wrongPassword: true } }, { boot: false }).catch(() => undefined);
    await until(() => t.lines.some((l) => l.includes('CP-SITE42-001 refused: wrong password, from 127.0.0.1')), 5000, 'the refusal line');

    const list = JSON.parse((await run(['local', 'cp', 'list', '--json'])).stdout);
    expect(list.charge_points[0]).toMatchObject({ id: 'CP-SITE42-001', connected: false, last_refusal: { reason: 'wrong password', from: '127.0.0.1' }, duplicate_id: null });
    expect((await run(['local', 'cp', 'list'])).stdout).toMatch(/CP-SITE42-001 +refused: wrong password \(\d+×, from 127\.0\.0\.1\)/);

    const start = await run(['start', 'CP-SITE42-001']);
    expect(start.code).toBe(5);
    expect(start.stderr).toMatch(/CP-SITE42-001 is not connected over OCPP: refused \d+ s ago: wrong password, from 127\.0\.0\.1/);
    const json = JSON.parse((await run(['start', 'CP-SITE42-001', '--json'])).stdout);
    // The contract's code, with what the local server knows added to its details.
    expect(json.error).toMatchObject({ code: 'not_connected', exit_code: 5 });
    const body = await fetch(`${t.server.apiUrl}/api/v1/installer/commissioning/CP-SITE42-001/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(body.status).toBe(409);
    expect(((await body.json()) as { error: { details: unknown } }).error.details).toEqual([{ issue: 'refused', refusal: expect.objectContaining({ reason: 'wrong password', from: '127.0.0.1' }) }]);
  });

  test('a mistyped id (O for 0): did you mean, the unknown id with local cp add as the next step, and start points at it', async () => {
    t = await startServer();
    await t.addChargePoint('CP-SITE42-001');
    const typo = await createStation({ ocpp, url: t.server.ocppUrl, id: 'CP-SITE42-0O1', password: 'a-password-of-twenty-chars', ...QUICK });
    extra.push(typo);
    await typo.connect().catch(() => undefined);
    await until(() => t.lines.some((l) => l.includes('CP-SITE42-0O1 refused: unknown charge point, from 127.0.0.1 — did you mean CP-SITE42-001?')), 5000, 'the did-you-mean line');
    const other = await createStation({ ocpp, url: t.server.ocppUrl, id: 'WALLBOX-7', password: 'a-password-of-twenty-chars', ...QUICK });
    extra.push(other);
    await other.connect().catch(() => undefined);
    await until(() => t.lines.some((l) => l.includes('WALLBOX-7 refused: unknown charge point') && l.includes('dynamo local cp add WALLBOX-7')), 5000, 'the unknown-id line');

    const plain = (await run(['local', 'cp', 'list'])).stdout;
    expect(plain).toContain('Tried to connect, but not known here:');
    expect(plain).toMatch(/CP-SITE42-0O1 +from 127\.0\.0\.1, \d+×, last .* — did you mean CP-SITE42-001\?/);
    // The next step for the same data directory, pasteable as printed.
    expect(plain).toMatch(/WALLBOX-7 +from 127\.0\.0\.1, .* — dynamo --data-dir \S+ local cp add WALLBOX-7\n/);
    const list = JSON.parse((await run(['local', 'cp', 'list', '--json'])).stdout);
    expect(list.unknown_attempts).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'CP-SITE42-0O1', did_you_mean: 'CP-SITE42-001', reason: 'unknown charge point' })]));

    const start = await run(['start', 'CP-SITE42-001']);
    expect(start.code).toBe(5);
    expect(start.stderr).toMatch(/CP-SITE42-0O1 \(not known here\) refused \d+ s ago: unknown charge point, from 127\.0\.0\.1.*is the charger's Charge Point ID mistyped\?/);
  });
});

test('a charger that never tried: start says what it always said', async () => {
  t = await startServer();
  await t.addChargePoint('CP-QUIET');
  const start = await run(['start', 'CP-QUIET']);
  expect(start.code).toBe(5);
  expect(start.stderr).toContain('CP-QUIET is not connected over OCPP; check its Central System URL and credentials');
});

describe.each(OCPP_VERSIONS)('OCPP %s', (ocpp) => {
  test('two chargers with one id, from two addresses: they replace each other, and the terminal and local cp list say so', async () => {
    t = await startServer();
    const password = await t.addChargePoint('CP-TWIN');
    for (const localAddress of ['127.0.0.2', '127.0.0.3']) {
      const twin = await createStation({ ocpp, url: t.server.ocppUrl, id: 'CP-TWIN', password, ...QUICK, wsOptions: { localAddress } });
      extra.push(twin);
      void twin.start().catch(() => undefined);
    }
    await until(() => t.lines.some((l) => /two devices use the id CP-TWIN: 127\.0\.0\.2 and 127\.0\.0\.3 \(they replaced each other's connection \d+ times in the last 5 min\)/.test(l)), 15_000, 'the clash line');
    // Said once per window, not at every replacement.
    await new Promise((r) => setTimeout(r, 500));
    expect(t.lines.filter((l) => l.includes('two devices use the id CP-TWIN'))).toHaveLength(1);

    const plain = (await run(['local', 'cp', 'list'])).stdout;
    expect(plain).toMatch(/warning: two devices use the id CP-TWIN: 127\.0\.0\.2 and 127\.0\.0\.3/);
    const list = JSON.parse((await run(['local', 'cp', 'list', '--json'])).stdout);
    expect(list.charge_points[0].duplicate_id).toMatchObject({ addresses: ['127.0.0.2', '127.0.0.3'], replacements: expect.any(Number), window_s: 300 });
  });
});

test("an unknown id's next step in the server's terminal is a command for this server, with the id quoted for the shell", async () => {
  t = await startServer({ command: (args) => `dynamo --data-dir /srv/site42 ${args}` });
  // A device on the LAN picks its id: one a shell would run as two commands if pasted bare.
  const hostile = 'WB;touch$IFS/tmp/x';
  const sim = await createStation({ ocpp: '1.6', url: t.server.ocppUrl, id: hostile, password: 'a-password-of-twenty-chars', ...QUICK });
  extra.push(sim);
  await sim.connect().catch(() => undefined);
  await until(() => t.lines.some((l) => l.includes('refused: unknown charge point')), 5000, 'the refusal line');
  expect(t.lines.find((l) => l.includes('refused: unknown charge point'))).toContain(`— dynamo --data-dir /srv/site42 local cp add 'WB;touch$IFS/tmp/x' lets it in`);
});
