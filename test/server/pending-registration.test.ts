import { afterEach, expect, test } from 'vitest';
import { until } from '../helpers/ocpp.js';
import { OCPP_VERSIONS, startServer, type TestServer } from '../helpers/server.js';

/** local up --pending-until-configured: a new station waits, Pending, until its template is applied. */
let t: TestServer | undefined;
afterEach(async () => t?.stop());

const V = {
  '1.6': { timeout: 'ConnectionTimeOut', required: 'MeterValueSampleInterval' },
  '2.0.1': { timeout: 'TxCtrlr.EVConnectionTimeOut', required: 'SampledDataCtrlr.TxUpdatedInterval' },
} as const;

test.each(OCPP_VERSIONS)('OCPP %s: a new station is answered Pending, configured with its template, then accepted; the next boot is accepted at once', async (ocpp) => {
  t = await startServer({ pendingUntilConfigured: true });
  // start() resolves at the first accepted boot: after the configuration.
  const sim = await t.station('CP-NEW', ocpp, {}, { boot: false });
  await until(() => sim.isBooted, 20_000, 'the accepted boot');
  expect(sim.setting(V[ocpp].timeout)).toBe('90');
  const lines = t.lines.filter((l) => l.startsWith('CP-NEW'));
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^CP-NEW booted: .*; answered Pending until it is configured$/),
      'CP-NEW: configuring it with tpl_standard_ac_22kw while it is Pending',
      'CP-NEW: configured with tpl_standard_ac_22kw and registered (BootNotification accepted)',
    ]),
  );
  const record = t.server.store.chargePoints.get('CP-NEW')!;
  expect(record.configuredAt).not.toBeNull();

  // Configured once: from now on it is accepted at its boot (powered off and on again).
  const before = t.lines.length;
  sim.stop();
  await until(() => !t!.server.csms.chargePoint('CP-NEW'), 5000, 'the power-off');
  const again = await t.station('CP-NEW', ocpp);
  expect(again.isBooted).toBe(true);
  expect(t.lines.slice(before).some((l) => l.includes('Pending'))).toBe(false);
});

test.each(OCPP_VERSIONS)('OCPP %s: a required setting the station refuses leaves it Pending, and the operator is told why', async (ocpp) => {
  t = await startServer({ pendingUntilConfigured: true });
  await t.addChargePoint('CP-NEW');
  await t.station('CP-NEW', ocpp, { faults: { rejectSettings: [V[ocpp].required] } }, { boot: false });
  await until(() => t!.lines.some((l) => l.startsWith('CP-NEW: stays Pending')), 10_000, 'the verdict');
  expect(t.lines.find((l) => l.startsWith('CP-NEW: stays Pending'))).toBe(
    `CP-NEW: stays Pending: required ${V[ocpp].required} not applied (see above); dynamo start CP-NEW --local retries and says why`,
  );
  expect(t.server.csms.state('CP-NEW')?.registration).toBe('Pending');
});

test('without the option every station is accepted at its first boot', async () => {
  t = await startServer();
  await t.station('CP-1', '2.0.1');
  expect(t.server.csms.state('CP-1')?.registration).toBe('Accepted');
  expect(t.lines.some((l) => l.includes('Pending'))).toBe(false);
});

test.each(OCPP_VERSIONS)('OCPP %s: a station lost while it is configured stays Pending, is told to be tried again, and is at its return', async (ocpp) => {
  t = await startServer({ pendingUntilConfigured: true, engine: { reconnectGraceS: 1 } });
  const sim = await t.station('CP-LOST', ocpp, { faults: { slowResponsesMs: 300, dropAfterS: 1, returnAfterS: 4 } }, { boot: false });
  await until(() => t!.lines.some((l) => l.startsWith('CP-LOST: stays Pending')), 20_000, 'the configuration to fail');
  expect(t.lines.find((l) => l.startsWith('CP-LOST: stays Pending'))).toMatch(/^CP-LOST: stays Pending: configuring it failed \(.+\); tried again at its next BootNotification or connection$/);
  await until(() => sim.isBooted, 30_000, 'the accepted boot after its return');
  expect(t.lines).toContain('CP-LOST: configured with tpl_standard_ac_22kw and registered (BootNotification accepted)');
}, 60_000);
