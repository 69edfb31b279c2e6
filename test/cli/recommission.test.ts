import { afterEach, describe, expect, test } from 'vitest';
import { cli, ndjson } from '../helpers/cli.js';
import { answerOnTerminal } from '../helpers/pty.js';
import { OCPP_VERSIONS, startServer, waitForEnd, type TestServer } from '../helpers/server.js';

/** A charge point whose board was replaced after commissioning: commissioned again, recorded, synced. */
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function commissioned(ocpp: (typeof OCPP_VERSIONS)[number]): Promise<{ t: TestServer; first: string }> {
  const t = await startServer();
  servers.push(t);
  await t.station('CP-1', ocpp);
  const { session_id } = await t.client.start('CP-1', { skip_test_transaction: true });
  expect((await waitForEnd(t.client, 'CP-1')).result).toBe('passed');
  await t.client.commission('CP-1');
  return { t, first: session_id };
}

describe.each(OCPP_VERSIONS)('OCPP %s', (ocpp) => {
  test('start on a commissioned charge point names the command; --recommission asks (--yes in scripts), logs who and what it set aside, and syncs', async () => {
    const { t, first } = await commissioned(ocpp);
    const run = (args: string[]) => cli(['--api-url', t.server.apiUrl, ...args], { env: { DYNAMO_TOKEN: t.token } });

    const refused = await run(['start', 'CP-1']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(`hint: after a board or controller swap, commission it again: dynamo --api-url ${t.server.apiUrl} start CP-1 --recommission`);

    const unasked = await run(['start', 'CP-1', '--recommission']);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('--recommission sets the commissioning of CP-1 aside: add --yes to go ahead (there is no terminal to ask on)');
    expect(t.server.store.chargePoints.get('CP-1')!.commissionedSessionId).toBe(first);

    const again = await run(['start', 'CP-1', '--recommission', '--yes', '--skip-test-transaction', '--wait', '--json']);
    expect(again.code).toBe(0);
    const second = ndjson(again.stdout)[0].session_id as string;
    expect(second).not.toBe(first);
    expect(t.server.store.chargePoints.get('CP-1')!.commissionedAt).toBeNull();
    const logs = await t.client.logs('CP-1', { session_id: second, level: 'info' });
    expect(logs.logs[0]!.message).toMatch(new RegExp(`^Re-commissioning CP-1, asked by installer@dynamo.local \\(inst_\\w+\\) at \\S+: the commissioning of \\S+ \\(session ${first}\\) is set aside$`));
    expect((await run(['commission', 'CP-1'])).code).toBe(0);
    expect(t.server.store.chargePoints.get('CP-1')!.commissionedSessionId).toBe(second);
    const [issue] = t.server.store.issues.list('CP-1');
    expect(issue!.description).toContain(`the commissioning of`);
    expect(issue!.description).toContain(`(session ${first}) is set aside; new session ${second}`);

    // The hosted API learns it through what it has: both sessions and their logs, the issue, and
    // the second commission, which it answers 422 (it keeps its first): counted as sent.
    const dataDir = t.dataDir;
    await t.stop(false);
    servers.splice(servers.indexOf(t), 1);
    const cloud = await startServer({ hosted: true });
    servers.push(cloud);
    await cloud.addChargePoint('CP-1');
    const sync = await cli(['sync', '--to', cloud.server.apiUrl, '--data-dir', dataDir, '--json'], { env: { DYNAMO_TOKEN: cloud.token } });
    expect(sync.code).toBe(0);
    expect(ndjson(sync.stdout).at(-1)).toMatchObject({ type: 'done', sessions: 2, issues: 1, commissions: 2, parked: 0, pending: 0 });
    expect(cloud.server.store.issues.list('CP-1')[0]!.description).toContain(`new session ${second}`);
    expect((await cloud.server.store.logs.page(second, { limit: 1, offset: 0 })).total).toBeGreaterThan(0);
  }, 60_000);
});

test('on a terminal --recommission asks, and anything but yes leaves the charge point commissioned', async () => {
  const { t, first } = await commissioned('1.6');
  const { code, output } = await answerOnTerminal(['--api-url', t.server.apiUrl, 'start', 'CP-1', '--recommission'], { DYNAMO_TOKEN: t.token }, 'n\r');
  expect(output).toContain('CP-1 is commissioned. Commission it again?');
  expect(code).toBe(2);
  expect(output).toContain('CP-1 left as it is (not confirmed)');
  expect(t.server.store.chargePoints.get('CP-1')!.commissionedSessionId).toBe(first);
  expect(t.server.store.sessions.latest('CP-1')!.id).toBe(first);
}, 30_000);
