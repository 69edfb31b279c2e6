import { randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { poll, type Tracked } from '../../src/cli/commands/firmware/update.js';
import { makeTheme } from '../../src/cli/theme.js';
import { FirmwareView } from '../../src/cli/ui/firmware-view.js';
import { until } from '../helpers/ocpp.js';
import { startServer, type TestServer } from '../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer({ ocppPort: 0, ocppHost: '127.0.0.1', firmware: { rebootWaitMs: 3000 } });
});
afterAll(async () => t.stop());

test('the firmware view: a row per charger with its status and bytes served, ending when every update has', async () => {
  await t.station('CP-FWV-1', '1.6', { firmwareStepMs: 300 });
  await t.station('CP-FWV-2', '2.0.1', { firmwareStepMs: 300, faults: { firmwareFailure: 'install' } });
  const path = join(t.dataDir, 'fw.bin');
  writeFileSync(path, Buffer.concat([Buffer.from('DYNAMO-SIM-FIRMWARE 2.0.0\n'), randomBytes(2_000_000)]));
  const image = await t.client.putFirmware({ stream: createReadStream(path), size: 2_000_026 });
  const tracked: Tracked[] = [];
  for (const id of ['CP-FWV-1', 'CP-FWV-2']) tracked.push({ chargePointId: id, update: await t.client.startFirmwareUpdate(id, { firmware_id: image.firmware_id, expected_version: '2.0.0' }), error: null });
  let ended: Tracked[] | null = null;
  const { lastFrame, unmount } = render(<FirmwareView theme={makeTheme(false)} initial={tracked} poll={(x) => poll(t.client, x)} onExit={(x) => (ended = x)} pollMs={50} />);
  await until(() => /CP-FWV-1 +Downloaded/.test(lastFrame() ?? '') || /CP-FWV-1 +Installing/.test(lastFrame() ?? ''), 10_000, 'a status on the way');
  await until(() => ended !== null, 20_000, 'the view to end');
  const frame = lastFrame()!;
  expect(frame).toContain('Firmware update: 2 of 2 done');
  expect(frame).toMatch(/passed +CP-FWV-1 +Installed +2\.0 of 2\.0 MB \(100%\) +\d+s +installed: firmware/);
  expect(frame).toMatch(/failed +CP-FWV-2 +InstallationFailed +2\.0 of 2\.0 MB \(100%\) +\d+s +CP-FWV-2 reported Inst/);
  unmount();
});
