// Crash safety (npm run crash-test; a short run is in npm test). The local server is killed with
// SIGKILL at random moments while sessions run, issues are reported and a sync to a cloud runs
// beside it, again and again. After every restart, every record the API acknowledged is there,
// nothing is half-written, sessions that were running are failed with a reason; at the end a
// sync leaves the cloud with every issue and every log line exactly once.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { BIN, fleetIds, loggedInClient, registerChargePoints, startFleets, startLocalUp, stop, tempDir } from '../../bench/lib.mjs';
import { CLIENT_OPTIONS, entry, random } from './lib.mjs';

const PASSWORD = 'crash-test-password-1';
const CHARGE_POINTS = fleetIds(3);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts sessions, reports issues, pauses and stops, until the server dies; records what was acknowledged. */
async function activity(client, r, acked, signal) {
  while (!signal.stopped) {
    const cp = r.pick(CHARGE_POINTS);
    try {
      switch (r.int(5)) {
        case 0:
        case 1: {
          const started = await client.start(cp, r.int(2) ? { skip_test_transaction: true } : {});
          acked.sessions.add(started.session_id);
          break;
        }
        case 2: {
          const description = `crash test issue ${acked.issues.size + 1} on ${cp} ${Date.now()}`;
          const issue = await client.reportIssue(cp, { category: 'other', severity: 'low', description });
          acked.issues.set(issue.issue_id, { cp, description });
          break;
        }
        case 3:
          await client.pause(cp);
          await client.resume(cp);
          break;
        default:
          await client.stop(cp);
      }
    } catch (err) {
      if (err.code === 'ERR_NETWORK') return;
    }
    await sleep(r.int(60));
  }
}

export async function main({ kills = Number(process.env.CRASH_KILLS ?? 50), seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9) } = {}) {
  const r = random(seed);
  const dataDir = tempDir();
  const apiPort = await freePort();
  const ocppPort = await freePort();
  const { Store } = await import('../../dist/server/store/store.js');
  await registerChargePoints(dataDir, CHARGE_POINTS, PASSWORD);

  // The cloud stays up throughout; the site server and its sync are the ones killed.
  const cloudDir = tempDir();
  const { LocalServer } = await import('../../dist/server/local-server.js');
  const cloud = await LocalServer.start({ dataDir: cloudDir, port: 0, apiHost: '127.0.0.1', hosted: true });
  const cloudClient = await loggedInClient(cloud.apiUrl, cloudDir, CLIENT_OPTIONS);
  for (const cp of CHARGE_POINTS) await cloudClient.addLocalChargePoint({ id: cp });
  const cloudToken = (await cloudClient.login(cloud.createdCredentials.email, cloud.createdCredentials.password)).access_token;

  /** `dynamo sync` of the site to the cloud, in its own process as an installer would run it. */
  const startSync = (...args) =>
    spawn(process.execPath, [BIN, 'sync', '--to', cloud.apiUrl, '--data-dir', dataDir, ...args], { env: { ...process.env, DYNAMO_TOKEN: cloudToken, DYNAMO_CONFIG_DIR: tempDir() }, stdio: 'ignore' });
  const [fleet] = startFleets(`ws://127.0.0.1:${ocppPort}/ocpp`, PASSWORD, CHARGE_POINTS.length, CHARGE_POINTS.length);
  const acked = { sessions: new Set(), issues: new Map() };
  const problems = [];
  const args = ['--port', String(apiPort), '--ocpp-port', String(ocppPort)];
  let survived = 0;
  try {
    for (let round = 0; round < kills; round += 1) {
      const server = await startLocalUp(dataDir, args, { DYNAMO_TOKEN: '' });
      const client = await loggedInClient(server.apiUrl, dataDir, CLIENT_OPTIONS);
      const signal = { stopped: false };
      const work = activity(client, r, acked, signal);
      const sync = r.int(2) ? startSync('--max-wait', '2') : null;
      await sleep(300 + r.int(2500));
      server.child.kill('SIGKILL');
      if (sync) sync.kill('SIGKILL');
      await new Promise((res) => server.child.once('exit', res));
      signal.stopped = true;
      await work;
      await client.close();
      survived += 1;
    }

    // After the last kill: start again and check everything that was acknowledged.
    const server = await startLocalUp(dataDir, args);
    const client = await loggedInClient(server.apiUrl, dataDir, CLIENT_OPTIONS);
    for (const [issueId, { cp }] of acked.issues) {
      const list = await client.issues(cp);
      if (!list.issues.some((i) => i.issue_id === issueId)) problems.push(`acknowledged issue ${issueId} is missing`);
    }
    await client.close();
    await stop(server.child);
    const store = Store.open(dataDir);
    let failedByCrash = 0;
    for (const id of acked.sessions) {
      const s = store.sessions.get(id);
      if (!s) {
        problems.push(`acknowledged session ${id} is missing`);
        continue;
      }
      if (s.status === 'running' || s.status === 'paused') problems.push(`session ${id} is still ${s.status} after restarts`);
      if (s.steps.length === 0) problems.push(`session ${id} has no steps`);
      if (s.status === 'failed' && s.failureReason?.includes('crash or power loss')) failedByCrash += 1;
      if (s.status === 'failed' && !s.failureReason) problems.push(`session ${id} failed without a reason`);
      const lines = (await store.logs.page(id, { limit: 100_000, offset: 0 })).logs;
      if (!lines.every((l, i) => l.seq === i + 1)) problems.push(`session ${id} has a gap in its log lines`);
    }
    for (const issueId of acked.issues.keys()) if (!store.outbox.stateOf('issue', issueId)) problems.push(`issue ${issueId} has no outbox entry`);
    // A kill between the commit and the 201 leaves an issue the client never heard of: it is
    // kept (its report may be sent again with the same Idempotency-Key), so the site may hold more.
    const siteIssues = CHARGE_POINTS.flatMap((cp) => store.issues.list(cp)).length;
    await store.close();

    // A clean sync: the cloud gets each issue and each log line once, whatever the kills cut short.
    const final = startSync();
    const code = await new Promise((res) => final.once('exit', res));
    if (code !== 0) problems.push(`final sync exited ${code}`);
    const cloudIssues = CHARGE_POINTS.flatMap((cp) => cloud.store.issues.list(cp));
    const descriptions = cloudIssues.map((i) => i.description);
    if (new Set(descriptions).size !== descriptions.length) problems.push('the cloud holds a duplicate issue');
    if (cloudIssues.length !== siteIssues) problems.push(`the site holds ${siteIssues} issues, the cloud ${cloudIssues.length}`);
    for (const { description } of acked.issues.values()) if (!descriptions.includes(description)) problems.push(`the cloud lacks issue "${description}"`);
    const site = Store.open(dataDir);
    for (const id of acked.sessions) {
      const here = (await site.logs.page(id, { limit: 1, offset: 0 })).total;
      const there = (await cloud.store.logs.page(id, { limit: 1, offset: 0 })).total;
      if (here !== there) problems.push(`session ${id}: ${here} log lines on site, ${there} in the cloud`);
    }
    await site.close();
    return {
      ok: problems.length === 0,
      seed,
      kills_survived: survived,
      acknowledged_issues: acked.issues.size,
      site_issues: siteIssues,
      acknowledged_sessions: acked.sessions.size,
      sessions_failed_by_a_crash_with_reason: failedByCrash,
      cloud_issues: cloudIssues.length,
      problems: problems.slice(0, 20),
    };
  } finally {
    await stop(fleet.child);
    await cloudClient.close();
    await cloud.stop();
  }
}

await entry(import.meta.url, main);
