import { afterEach, expect, test } from 'vitest';
import type { Report } from '../../src/cli/report/model.js';
import { cli } from '../helpers/cli.js';
import { OCPP_VERSIONS, startServer, waitForEnd, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0).reverse()) await s.stop();
});

const report = async (server: TestServer, id: string): Promise<Report> => {
  const r = await cli(['--api-url', server.server.apiUrl, 'report', id, '--format', 'json'], { env: { DYNAMO_TOKEN: server.token } });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
};

/**
 * A session run offline on a site, synced to a server standing in for the hosted API: a report
 * made there has the same settings, transaction figures and installer as the site's, from the
 * log lines sync delivered, and the issue under its hosted reference.
 */
test.each(OCPP_VERSIONS)('OCPP %s: the report made against the hosted API after sync says what the site\'s said', async (ocpp) => {
  const site = await startServer();
  servers.push(site);
  await site.station('CP-1', ocpp);
  await site.client.start('CP-1');
  expect((await waitForEnd(site.client, 'CP-1', 30_000)).result).toBe('passed');
  await site.client.reportIssue('CP-1', { category: 'site_issue', severity: 'low', description: 'Bay markings missing at the charger.' });
  const before = (await report(site, 'CP-1')).charge_points[0]!;
  expect(before.issues[0]).toMatchObject({ reference_number: expect.stringMatching(/^LOC-/), sync_state: 'pending' });

  const cloud = await startServer({ hosted: true });
  servers.push(cloud);
  await cloud.addChargePoint('CP-1');
  site.server.store.logs.barrier();
  const sync = await cli(['sync', '--to', cloud.server.apiUrl, '--data-dir', site.dataDir, '--json'], { env: { DYNAMO_TOKEN: cloud.token }, timeoutMs: 60_000 });
  expect(sync.code, sync.stdout + sync.stderr).toBe(0);

  const hosted = (await report(cloud, 'CP-1')).charge_points[0]!;
  expect(hosted.session).toEqual(before.session);
  expect(hosted.steps).toEqual(before.steps);
  expect(hosted.template).toEqual(before.template);
  expect(hosted.template.settings!.length).toBeGreaterThan(10);
  expect(hosted.test_transaction).toEqual(before.test_transaction);
  expect(hosted.verdict).toMatchObject({ status: 'passed', sign_off: true });
  const [issue] = hosted.issues;
  expect(issue).toMatchObject({ reference_number: expect.stringMatching(/^DYN-/), description: 'Bay markings missing at the charger.' });
  // The site's own list now names both references.
  const after = (await report(site, 'CP-1')).charge_points[0]!;
  expect(after.issues[0]).toMatchObject({ reference_number: issue!.reference_number, local_reference: before.issues[0]!.reference_number, sync_state: 'synced' });
}, 90_000);
