import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareVersions } from '../../src/server/engine/firmware-version.js';
import { OCPP_VERSIONS, startServer, waitForEnd, writeTemplate, type TestServer } from '../helpers/server.js';

test('firmware versions compare part by part, numbers as numbers, a suffix below the bare number', () => {
  expect(compareVersions('1.10.0', '1.9.9')).toBe(1);
  expect(compareVersions('1.4.2', '2.0.0')).toBe(-1);
  expect(compareVersions('v2.0.0', '2.0')).toBe(0);
  expect(compareVersions('2.0.1-sim', '2.0.1')).toBe(-1);
  expect(compareVersions('2.0.1-sim', '2.0.0')).toBe(1);
  expect(compareVersions('unknown', '2.0.0')).toBeNull();
});

describe.each(OCPP_VERSIONS)('a template that requires a minimum firmware, OCPP %s', (ocpp) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
    for (const [id, onLower] of [['tpl_min_fail', 'fail'], ['tpl_min_warn', 'warn']] as const) {
      writeTemplate(t.dataDir, { template_id: id, steps: ['connectivity'], minimum_firmware: { version: '2.5.0', on_lower: onLower } });
    }
  });
  afterAll(async () => t.stop());

  const session = async (suffix: string, firmwareVersion: string, templateId: string) => {
    const id = `CP-MIN-${ocpp}-${suffix}`;
    await t.station(id, ocpp, { firmwareVersion });
    await t.client.start(id, { template_id: templateId });
    return waitForEnd(t.client, id);
  };

  test('below it, the connectivity step fails (template says fail) and names the command that updates it', async () => {
    const end = await session('old', '2.4.9', 'tpl_min_fail');
    expect(end.result).toBe('failed');
    expect(end.steps[0]!.detail).toMatch(/firmware 2\.4\.9 is below the template's minimum 2\.5\.0: update it with dynamo --local firmware update CP-MIN-\S+-old --file <image> --version <version>$/);
  });

  test('below it, the step passes with the warning (template says warn); at or above it, no warning', async () => {
    const warned = await session('warn', '1.0', 'tpl_min_warn');
    expect(warned.result).toBe('passed');
    expect(warned.steps[0]!.warnings).toEqual([expect.stringMatching(/^firmware 1\.0 is below the template's minimum 2\.5\.0: update it with dynamo --local firmware update/)]);
    const fine = await session('new', '2.10.0', 'tpl_min_fail');
    expect(fine.result).toBe('passed');
    expect(fine.steps[0]!.warnings ?? []).toEqual([]);
  });
});
