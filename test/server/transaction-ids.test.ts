import { expect, test } from 'vitest';
import { TRANSACTION_ID_BLOCK } from '../../src/server/local-server.js';
import { rawClient } from '../helpers/ocpp.js';
import { startServer } from '../helpers/server.js';

const start = (i: number) => ({ connectorId: 1, idTag: `TAG-${i}`, meterStart: 0, timestamp: new Date().toISOString() });
const counter = (t: Awaited<ReturnType<typeof startServer>>): number =>
  (t.server.store.db.prepare("SELECT value FROM counters WHERE name = 'ocpp-transaction-id'").get() as { value: number }).value;

test('transaction ids come from reserved blocks: one durable write per 1,000, unique and increasing across a restart', async () => {
  let t = await startServer({ open: true });
  const raw = await rawClient(t.server.ocppUrl, 'CP-TX');
  const ids: number[] = [];
  for (let i = 0; i < 50; i += 1) ids.push(((await raw.call('StartTransaction', start(i))) as [number, string, { transactionId: number }])[2].transactionId);
  raw.close();
  expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => ids[0]! + i));
  // The counter moved once, by a whole block: not once per StartTransaction.
  expect(counter(t)).toBe(ids[0]! + TRANSACTION_ID_BLOCK - 1);
  const dataDir = t.dataDir;
  await t.stop(false);

  t = await startServer({ open: true, dataDir });
  const again = await rawClient(t.server.ocppUrl, 'CP-TX');
  const next = ((await again.call('StartTransaction', start(99))) as [number, string, { transactionId: number }])[2].transactionId;
  again.close();
  expect(next).toBe(ids[0]! + TRANSACTION_ID_BLOCK);
  await t.stop();
});

test('what the server observes of charge points is written without an fsync, and state changes still with one', async () => {
  const t = await startServer({ open: true });
  const raw = await rawClient(t.server.ocppUrl, 'CP-OBSERVED');
  for (let i = 0; i < 5; i += 1) await raw.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: `M${i}` });
  raw.close();
  await new Promise((r) => setTimeout(r, 100));
  expect(t.server.store.chargePoints.get('CP-OBSERVED')?.boot?.model).toBe('M4');
  // Back to FULL for everything acknowledged (sessions, issues) once an observation is written.
  expect(t.server.store.db.pragma('synchronous', { simple: true })).toBe(2);
  await t.stop();
});
