import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, ndjson } from '../helpers/cli.js';
import { OCPP_VERSIONS, startServer, type TestServer } from '../helpers/server.js';

let t: TestServer;
let run: (args: string[]) => ReturnType<typeof cli>;
let fw: string;

beforeAll(async () => {
  t = await startServer({ ocppPort: 0, ocppHost: '127.0.0.1', firmware: { rebootWaitMs: 3000 } });
  fw = join(t.dataDir, 'fw-2.0.0.bin');
  writeFileSync(fw, Buffer.concat([Buffer.from('DYNAMO-SIM-FIRMWARE 2.0.0\n'), randomBytes(200_000)]));
  run = (args) => cli(['--api-url', t.server.apiUrl, ...args], { env: { DYNAMO_TOKEN: t.token }, timeoutMs: 30_000 });
});
afterAll(async () => t.stop());

describe.each(OCPP_VERSIONS)('dynamo firmware update, OCPP %s', (ocpp) => {
  test('--wait without a terminal: NDJSON with a kind on every line, exit 0 when every charger reports the version', async () => {
    const ids = [`CP-FWC-${ocpp}-1`, `CP-FWC-${ocpp}-2`];
    for (const id of ids) await t.station(id, ocpp, { firmwareStepMs: 20 });
    const r = await run(['firmware', 'update', ...ids, '--file', fw, '--version', '2.0.0', '--wait']);
    // NDJSON names the server in its documents: nothing on stderr.
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = ndjson(r.stdout);
    expect(lines.every((l) => typeof l.kind === 'string')).toBe(true);
    expect(lines[0]).toMatchObject({ kind: 'image', size: 200_026 });
    expect(lines.filter((l) => l.kind === 'update').map((l) => l.charge_point_id)).toEqual(ids);
    const results = lines.filter((l) => l.kind === 'result');
    expect(results.map((l) => [l.charge_point_id, l.state, l.reported_version]).sort()).toEqual(ids.map((id) => [id, 'installed', '2.0.0']));
    expect(lines.at(-1)).toEqual({ kind: 'summary', installed: 2, failed: 0, server: t.server.apiUrl });
    const log = await run(['logs', ids[0]!, '--firmware']);
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(/info +- +UpdateFirmware: fw_/);
    expect(log.stdout).toContain('Firmware update done: installed: firmware 2.0.0');
  });

  test('a charger that comes back with another version makes it exit 3; one not connected is an error line and its own exit code', async () => {
    const id = `CP-FWC-${ocpp}-old`;
    await t.station(id, ocpp, { firmwareStepMs: 20, faults: { firmwareFailure: 'old-version' } });
    const failed = await run(['firmware', 'update', id, '--file', fw, '--version', '2.0.0', '--wait']);
    expect(failed.code).toBe(3);
    expect(ndjson(failed.stdout).at(-1)).toEqual({ kind: 'summary', installed: 0, failed: 1, server: t.server.apiUrl });
    const away = `CP-FWC-${ocpp}-away`;
    await t.addChargePoint(away);
    const r = await run(['firmware', 'update', away, '--file', fw, '--wait']);
    expect(r.code).toBe(5);
    expect(ndjson(r.stdout).find((l) => l.kind === 'error')).toMatchObject({ charge_point_id: away, exit_code: 5 });
  });
});

test('without --wait it starts the updates and says how to follow them; a missing file is a usage error', async () => {
  await t.station('CP-FWC-NOWAIT', '1.6', { firmwareStepMs: 20 });
  const r = await run(['firmware', 'update', 'CP-FWC-NOWAIT', '--file', fw]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^firmware fw_[0-9a-f]{16}: 200026 bytes, sha256 [0-9a-f]{64}\nCP-FWC-NOWAIT: UpdateFirmware sent \(fwu_\w+\)\nfollow it with dynamo --api-url \S+ logs CP-FWC-NOWAIT --firmware/);
  const missing = await run(['firmware', 'update', 'CP-FWC-NOWAIT', '--file', join(t.dataDir, 'nope.bin')]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/cannot read the firmware file/);
});

test('against a server without the firmware routes (the hosted API) it says so, exit 6, and sends it no image', async () => {
  // A hosted API as far as this command can tell: a JSON 404 for a route it does not have.
  const seen: { method: string; bytes: number }[] = [];
  const hosted = createServer((req, res) => {
    const entry = { method: req.method ?? '', bytes: 0 };
    seen.push(entry);
    req.on('data', (c: Buffer) => (entry.bytes += c.length));
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: 'no such route' } }));
  });
  await new Promise<void>((r) => hosted.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(hosted.address() as AddressInfo).port}`;
    const r = await cli(['--api-url', url, 'firmware', 'update', 'CP-1', '--file', fw], { env: { DYNAMO_TOKEN: t.token } });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/has no firmware route: the laptop's local server serves firmware to the chargers, the hosted API does not\nhint: run dynamo local up on the site, then dynamo --local firmware update …/);
    expect(seen).toEqual([{ method: 'GET', bytes: 0 }]);
  } finally {
    hosted.closeAllConnections();
    await new Promise<void>((r) => hosted.close(() => r()));
  }
});
