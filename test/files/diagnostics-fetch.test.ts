import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from '../helpers/cli.js';
import { OCPP_VERSIONS, startServer, tempDir, waitForEnd, type TestServer } from '../helpers/server.js';

describe.each(OCPP_VERSIONS)("the charger's own diagnostics, fetched to the laptop, OCPP %s", (ocpp) => {
  let t: TestServer;
  let small: TestServer;
  const run = (server: TestServer, args: string[]) => cli(['--api-url', server.server.apiUrl, ...args], { env: { DYNAMO_TOKEN: server.token } });
  beforeAll(async () => {
    t = await startServer({ ocppPort: 0, ocppHost: '127.0.0.1' });
    small = await startServer({ ocppPort: 0, ocppHost: '127.0.0.1', diagnostics: { maxBytes: 1000 } });
  });
  afterAll(async () => {
    await t.stop();
    await small.stop();
  });

  test('diagnostics --fetch --out: uploaded to its one-time URL, stored 0600 beside the latest session, copied out; exit 0', async () => {
    const id = `CP-DIAG-${ocpp}`;
    await t.station(id, ocpp, { firmwareStepMs: 20 });
    const { session_id } = await t.client.start(id, { skip_test_transaction: true });
    await waitForEnd(t.client, id);
    const out = join(tempDir(), 'diag.log');
    const r = await run(t, ['diagnostics', id, '--fetch', '--out', out]);
    // Which server answered, on stderr only.
    expect(r.stderr).toBe(`server: ${t.server.apiUrl}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${id}: asked for its diagnostics file \\(diag_\\w+\\)\\n(  \\w+\\n)*${id}: diagnostics stored \\d+ bytes \\(sha256 [0-9a-f]{64}\\) beside session ${session_id}; written to ${out}\\n$`));
    const fetch = await t.client.diagnosticsFetch(id);
    expect(fetch).toMatchObject({ state: 'stored', status: 'Uploaded', session_id });
    const copied = readFileSync(out);
    expect(copied.length).toBe(fetch.size);
    expect(copied.toString()).toMatch(new RegExp(`^# ${ocpp === '1.6' ? 'Diagnostics' : 'DiagnosticsLog'} of a simulated charger`));
    const stored = t.server.store.diagnosticsFetches.latest(id)!.path!;
    expect(stored.startsWith(t.server.files.uploadsDir(id))).toBe(true);
    expect(statSync(stored).mode & 0o777).toBe(0o600);
    expect(t.server.files.grants.size).toBe(0);
    const log = await run(t, ['logs', id, '--charger-diagnostics']);
    expect(log.stdout).toContain(ocpp === '1.6' ? 'GetDiagnostics: upload to http://127.0.0.1:' : 'GetLog: upload to http://127.0.0.1:');
    expect(log.stdout).toMatch(/Diagnostics stored \d+ bytes/);
    // Attached to an issue as a reference: the file stays here, its name and checksum travel.
    const issue = await run(t, ['issue', 'report', id, '--category', 'hardware_defect', '--severity', 'low', '--description', 'Relay clicks twice at start of charge.', '--attach-diagnostics', '--json']);
    expect(issue.code).toBe(0);
    const listed = t.server.store.issues.list(id)[0]!;
    expect(listed.description).toBe(`Relay clicks twice at start of charge.\n\nCharger diagnostics file: ${fetch.fetch_id}, ${fetch.size} bytes, sha256 ${fetch.sha256}, fetched ${fetch.finished_at} beside session ${session_id} (kept on the site laptop's local server).`);
  });

  test('an upload that fails, or is over the size limit, fails the fetch: exit 3, nothing stored', async () => {
    const id = `CP-DIAG-${ocpp}-fail`;
    await t.station(id, ocpp, { firmwareStepMs: 20, faults: { diagnosticsFailure: true } });
    const r = await run(t, ['diagnostics', id, '--fetch']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`diagnostics fetch failed: ${id} reported (UploadFailed|UploadFailure)`));
    const big = `CP-DIAG-${ocpp}-big`;
    await small.station(big, ocpp, { firmwareStepMs: 20 });
    const over = await run(small, ['diagnostics', big, '--fetch', '--json']);
    expect(over.code).toBe(3);
    expect(JSON.parse(over.stdout)).toMatchObject({ state: 'failed', size: null });
    expect(small.server.store.diagnosticsFetches.latest(big)?.path).toBeNull();
  });
});

test('--out without --fetch is a usage error; against a server without the route it says so, exit 6', async () => {
  expect((await cli(['--api-url', 'http://127.0.0.1:9', 'diagnostics', 'CP-1', '--out', 'x'], { env: { DYNAMO_TOKEN: 'x' } })).code).toBe(2);
  const hosted = await startServer({ hosted: true });
  try {
    const r = await cli(['--api-url', `${hosted.server.apiUrl}/nothing-here`, 'diagnostics', 'CP-1', '--fetch'], { env: { DYNAMO_TOKEN: hosted.token } });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/has no diagnostics-fetch route/);
  } finally {
    await hosted.stop();
  }
});
