import { render } from 'ink-testing-library';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeTheme } from '../../src/cli/theme.js';
import { SiteRun } from '../../src/cli/site/site-run.js';
import { resolveTargets } from '../../src/cli/site/targets.js';
import { SiteView } from '../../src/cli/ui/site-view.js';
import { frameWith } from '../helpers/frames.js';
import { until } from '../helpers/ocpp.js';
import { startServer, type TestServer } from '../helpers/server.js';

const plain = makeTheme(false);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENTER = '\r';
const DOWN = '\u001B[B';
const UP = '\u001B[A';
const ESC = '\u001B';

/** Registered here but never connected; and ids the server does not know at all. */
const OFFLINE = Array.from({ length: 5 }, (_, i) => `CP-VOFF-${i + 1}`);
const UNKNOWN = Array.from({ length: 22 }, (_, i) => `CP-VUNK-${String(i + 1).padStart(2, '0')}`);

let t: TestServer;
beforeAll(async () => {
  // A long test transaction keeps sessions running while keys are pressed.
  t = await startServer({ engine: { testTransaction: { duration_seconds: 60 } } });
  await t.station('CP-V16', '1.6');
  await t.station('CP-V201', '2.0.1');
  // A required key refused: its configuration step fails.
  await t.station('CP-VFAULT', '1.6', { faults: { rejectSettings: ['HeartbeatInterval'] } });
  await t.station('CP-K1', '2.0.1');
  await t.station('CP-K2', '1.6');
  for (const id of OFFLINE) await t.addChargePoint(id);
});
afterAll(async () => t.stop());


/** The rows of a frame: the lines between the column names and the picked row's detail. */
const rowsOf = (frame: string): string[] => {
  const lines = frame.split('\n');
  return lines.slice(lines.findIndex((l) => l.includes('CHARGE POINT')) + 1, -3);
};

test('site view: totals, failed first, offline rows, scrolling around the pick, Enter opens the session and Esc comes back', async () => {
  const targets = await resolveTargets(t.client, { ids: ['CP-V16', 'CP-V201', 'CP-VFAULT', ...OFFLINE, ...UNKNOWN] });
  const site = new SiteRun(t.client, targets, { concurrency: 8, skipTestTransaction: true, pollMs: 50 });
  const running = site.run();
  const view = render(<SiteView site={site} client={t.client} theme={plain} pollMs={50} onExit={() => undefined} />);
  try {
    const frame = await frameWith(view.lastFrame, '2 / 30 passed, 1 failed, 5 offline, 22 refused');
    // The failed one on top, picked; the passed ones last, out of the window of 18 rows.
    expect(rowsOf(frame)[0]).toMatch(/^›CP-VFAULT .* configuration +completed +failed/);
    expect(rowsOf(frame)).toHaveLength(18);
    expect(frame).not.toContain('CP-V16 ');
    expect(frame).toContain('1–18 of 30');
    expect(frame).toMatch(/CP-VFAULT: configuration: .*HeartbeatInterval/);
    // Unknown here: refused, right after the failed one, and not connected.
    expect(rowsOf(frame)[1]).toMatch(/^ CP-VUNK-01 +offline +refused/);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(100);

    // Down to the end: the window follows the pick.
    for (let i = 0; i < 29; i += 1) view.stdin.write(DOWN);
    const bottom = await frameWith(view.lastFrame, '13–30 of 30');
    expect(rowsOf(bottom).at(-1)).toMatch(/^›CP-V201 /);
    expect(bottom).toMatch(/CP-V16 .*online .*completed +passed/);
    view.stdin.write(UP);
    await frameWith(view.lastFrame, /›CP-V16 /);

    // An offline row has no session to open.
    expect(bottom).toMatch(/CP-VOFF-5 +offline +offline/);
    for (let i = 0; i < 5; i += 1) view.stdin.write(UP);
    await frameWith(view.lastFrame, /›CP-VOFF-1 /);
    view.stdin.write(ENTER);
    await frameWith(view.lastFrame, /CP-VOFF-1: no session to open \(CP-VOFF-1 is not connected/);

    // Back to the top, Enter: the failed one's session view; Esc: the site again.
    view.stdin.write('\u001B[5~');
    await frameWith(view.lastFrame, /›CP-VUNK-05/);
    view.stdin.write('\u001B[5~');
    await frameWith(view.lastFrame, /›CP-VFAULT/);
    view.stdin.write(ENTER);
    await frameWith(view.lastFrame, 'CP-VFAULT failed commissioning at configuration');
    expect(view.lastFrame()).toContain('Esc back');
    view.stdin.write(ESC);
    await frameWith(view.lastFrame, '2 / 30 passed, 1 failed, 5 offline, 22 refused');
  } finally {
    site.cancel();
    await running;
    view.unmount();
  }
}, 60_000);

test('site view keys: p and r on the picked row, s asks, P and S ask and act on all; q after the end gives 3', async () => {
  const targets = await resolveTargets(t.client, { ids: ['CP-K1', 'CP-K2'] });
  const site = new SiteRun(t.client, targets, { concurrency: 8, pollMs: 50 });
  const running = site.run();
  let exit: { code: number; quit: boolean } | null = null;
  const view = render(<SiteView site={site} client={t.client} theme={plain} onExit={(code, quit) => (exit = { code, quit })} />);
  const status = (id: string) => t.server.store.sessions.active(id)?.status;
  try {
    await frameWith(view.lastFrame, /0 \/ 2 passed · 2 running/);
    await until(() => status('CP-K1') === 'running' && status('CP-K2') === 'running', 10_000, 'both running');
    expect(view.lastFrame()).toContain('↑↓ pick · Enter open · p pause · r resume · s stop · P pause all · S stop all · q quit');
    view.stdin.write('p');
    await until(() => status('CP-K1') === 'paused', 10_000, 'CP-K1 paused');
    expect(status('CP-K2')).toBe('running');
    await frameWith(view.lastFrame, /CP-K1 .* paused/);
    view.stdin.write('r');
    await until(() => status('CP-K1') === 'running', 10_000, 'CP-K1 running again');

    view.stdin.write('s');
    await frameWith(view.lastFrame, "Stop CP-K1's session? A running test transaction is stopped too. (y/N)");
    view.stdin.write('n');
    await frameWith(view.lastFrame, 'Stop cancelled');
    expect(status('CP-K1')).toBe('running');

    view.stdin.write('P');
    await frameWith(view.lastFrame, 'Pause every running session? (y/N)');
    await sleep(50);
    view.stdin.write('y');
    await until(() => status('CP-K1') === 'paused' && status('CP-K2') === 'paused', 10_000, 'both paused');

    view.stdin.write('S');
    await frameWith(view.lastFrame, 'Stop every session, and start no more? (y/N)');
    await sleep(50);
    view.stdin.write('y');
    await frameWith(view.lastFrame, '0 / 2 passed, 2 stopped');
    expect(t.server.store.sessions.latest('CP-K1')?.status).toBe('stopped');
    await frameWith(view.lastFrame, 'all done');
    view.stdin.write('q');
    await until(() => exit !== null, 5000, 'the view to end');
    expect(exit).toEqual({ code: 3, quit: false });
  } finally {
    site.cancel();
    await running;
    view.unmount();
  }
}, 60_000);
