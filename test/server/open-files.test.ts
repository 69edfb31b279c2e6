import { expect, test } from 'vitest';
import { ocppConnectionCap, openFilesLimit } from '../../src/server/open-files.js';

test('the OCPP connection cap leaves descriptors for the store and the API', () => {
  expect(ocppConnectionCap(10_000, 1024)).toBe(512);
  expect(ocppConnectionCap(10_000, 1_048_576)).toBe(10_000);
  // A tiny limit still lets a site's chargers in; where /proc says nothing, the wanted cap stands.
  expect(ocppConnectionCap(10_000, 100)).toBe(64);
  expect(ocppConnectionCap(10_000, null)).toBe(10_000);
  if (process.platform === 'linux') expect(openFilesLimit()).toBeGreaterThan(0);
});
