import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import type { IssueCreated } from '../../src/api/contract.js';
import { makeTheme } from '../../src/cli/theme.js';
import { IssueForm, issueStepsOf } from '../../src/cli/ui/issue-form.js';
import { LogViewer } from '../../src/cli/ui/log-viewer.js';
import { LoginPrompt } from '../../src/cli/ui/prompts.js';
import { SessionView } from '../../src/cli/ui/session-view.js';
import { frameWith } from '../helpers/frames.js';
import { until } from '../helpers/ocpp.js';
import { startServer, waitForEnd, type TestServer } from '../helpers/server.js';

const plain = makeTheme(false);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENTER = '\r';
const DOWN = '\u001B[B';
const ESC = '\u001B';

let t: TestServer;
beforeAll(async () => {
  // A long test transaction keeps sessions running while keys are pressed.
  t = await startServer({ engine: { testTransaction: { duration_seconds: 60 } } });
  await t.simulator('CP-UI', { faults: { slowResponsesMs: 150 } });
  await t.simulator('CP-FAST');
  await t.simulator('CP-SKIP');
});
afterAll(async () => t.stop());


/**
 * A text field hears input only once its input hook is attached, and each render attaches a new
 * handler holding the new value, both in effects that run after the frame is drawn. A write
 * right after a frame can reach no handler (dropped) or the previous one (acting on the old
 * value). Keys for text fields go only onto a frame that has stayed the same for 100 ms.
 */
async function settledFrame(lastFrame: () => string | undefined): Promise<string | undefined> {
  let before: string | undefined;
  do {
    before = lastFrame();
    await sleep(100);
  } while (lastFrame() !== before);
  return before;
}

describe('live session view', () => {
  test('p pauses, r resumes, s asks before stopping, y stops; the view ends with the session', async () => {
    await t.client.start('CP-UI');
    let exitCode: number | null = null;
    const view = render(<SessionView client={t.client} chargePointId="CP-UI" theme={plain} pollMs={50} onExit={(c) => (exitCode = c)} />);
    await frameWith(view.lastFrame, /Session running/);
    expect(view.lastFrame()).toContain('p pause · s stop · R restart · l logs · i report issue · q quit');

    view.stdin.write('p');
    await until(() => t.server.store.sessions.active('CP-UI')?.status === 'paused', 5000, 'paused on the server');
    await frameWith(view.lastFrame, /Session paused at \w+/);
    // The step it is paused in says so, still, instead of a spinner turning as if it worked.
    const pausedAt = /Session paused at (\w+)/.exec(view.lastFrame()!)![1]!;
    expect(view.lastFrame()).toMatch(new RegExp(`^paused\\s+${pausedAt}`, 'm'));
    // Paused, the bar offers what can be done now: resume, not pause.
    await frameWith(view.lastFrame, 'r resume · s stop · R restart');
    expect(view.lastFrame()).not.toContain('p pause');

    view.stdin.write('r');
    await until(() => t.server.store.sessions.active('CP-UI')?.status === 'running', 5000, 'running again');

    view.stdin.write('s');
    await frameWith(view.lastFrame, 'Stop this session? A running test transaction is stopped too. (y/N)');
    view.stdin.write('n');
    await frameWith(view.lastFrame, 'Stop cancelled');
    expect(t.server.store.sessions.active('CP-UI')).toBeDefined();

    view.stdin.write('s');
    await sleep(50);
    view.stdin.write('y');
    await until(() => exitCode !== null, 5000, 'the view to end');
    expect(exitCode).toBe(3);
    // The verdict is the last word: "Stop: done" from before it is not left under it.
    expect(view.lastFrame()).not.toContain('Stop: done');
    expect(t.server.store.sessions.latest('CP-UI')?.status).toBe('stopped');
    expect(view.frames.join('\n')).toContain('CP-UI: session');
    view.unmount();
  });

  test('R asks, then restarts (the old block says it was superseded), l shows the latest log lines, q quits and leaves the session running', async () => {
    const first = await t.client.start('CP-UI');
    let exitCode: number | null = null;
    let quit: boolean | undefined;
    const view = render(
      <SessionView
        client={t.client}
        chargePointId="CP-UI"
        theme={plain}
        pollMs={50}
        onExit={(c, q) => {
          exitCode = c;
          quit = q;
        }}
      />,
    );
    await frameWith(view.lastFrame, /Session running/);
    view.stdin.write('R');
    await frameWith(view.lastFrame, 'Restart: stop this session and start a new one from the first step? (y/N)');
    view.stdin.write('n');
    await frameWith(view.lastFrame, 'Restart cancelled');
    expect(t.server.store.sessions.latest('CP-UI')?.id).toBe(first.session_id);
    view.stdin.write('R');
    await sleep(50);
    view.stdin.write('y');
    await until(() => t.server.store.sessions.latest('CP-UI')?.id !== first.session_id, 5000, 'a new session');
    await frameWith(view.lastFrame, 'Restart: done');
    const second = t.server.store.sessions.latest('CP-UI')!.id;
    await until(() => view.frames.join('\n').includes(`session ${first.session_id} was stopped and superseded by ${second} (restart)`), 5000, 'the superseded line');
    view.stdin.write('l');
    await frameWith(view.lastFrame, 'latest log lines');
    await frameWith(view.lastFrame, /Session started with template|Step \w+ started/);
    view.stdin.write('l');
    view.stdin.write('q');
    await until(() => exitCode !== null, 5000, 'quit');
    expect(exitCode).toBe(0);
    expect(quit).toBe(true);
    // Its live rows went before it ended: no key bar, no spinner frozen above the next line.
    expect(view.lastFrame()).not.toContain('q quit');
    expect(view.lastFrame()).not.toMatch(/Session running/);
    // Quitting the view is not stopping the session.
    expect(t.server.store.sessions.latest('CP-UI')?.status).not.toBe('stopped');
    await t.client.stop('CP-UI').catch(() => undefined);
    view.unmount();
  });

  test('a passing session: every step printed once, the summary, exit 0', async () => {
    await t.client.start('CP-FAST', { skip_test_transaction: true });
    let exitCode: number | null = null;
    const view = render(<SessionView client={t.client} chargePointId="CP-FAST" theme={plain} pollMs={50} onExit={(c) => (exitCode = c)} />);
    await until(() => exitCode !== null, 8000, 'the end');
    expect(exitCode).toBe(0);
    const all = view.frames.join('\n');
    for (const step of ['connectivity', 'heartbeat', 'configuration', 'test_transaction']) expect(all).toContain(step);
    // The simulator's firmware refuses an optional key: a pass, but not a clean one.
    expect(view.lastFrame()).toContain('CP-FAST passed commissioning with 1 warning: 3 of 4 steps passed (some skipped)');
    expect(all).toMatch(/warning +configuration .*11 of 12 configuration keys applied/);
    expect(all).toContain('warning: ReserveConnectorZeroSupported not applied: not supported by firmware');
    view.unmount();
  });

  test('a charger that drops mid-step: the view says so at once, and again when it returns', async () => {
    const sim = await t.simulator('CP-DROP');
    await t.client.start('CP-DROP');
    const view = render(<SessionView client={t.client} chargePointId="CP-DROP" theme={plain} pollMs={50} onExit={() => undefined} />);
    await until(() => sim.transaction(1) !== null, 10_000, 'the test transaction');
    sim.client.drop(false);
    await frameWith(view.lastFrame, 'charger disconnected; waiting up to 5 s for it to return');
    await sim.client.connect();
    await frameWith(view.lastFrame, /test_transaction .*(charging|reconnected)/);
    await t.client.stop('CP-DROP');
    view.unmount();
  });
});

describe('issue form', () => {
  test('the step is preselected, the 20-character rule counts as you type, bad photo URLs are caught, then it files', async () => {
    let done: IssueCreated | null | undefined;
    const form = render(<IssueForm client={t.client} chargePointId="CP-FAST" theme={plain} initial={{ step: 'configuration' }} onDone={(c) => (done = c)} />);
    const see = (text: string | RegExp) => frameWith(form.lastFrame, text);
    const settled = () => settledFrame(form.lastFrame);
    // A dropped write is sent again; one that was heard changes the frame, even if slowly on a
    // loaded machine, and is never sent twice, or an Enter would land on the next field.
    const press = async (data: string, expected: string | RegExp | (() => boolean)): Promise<void> => {
      const met = typeof expected === 'function' ? expected : () => {
        const f = form.lastFrame() ?? '';
        return typeof expected === 'string' ? f.includes(expected) : expected.test(f);
      };
      for (let attempt = 1; ; attempt += 1) {
        const before = await settled();
        form.stdin.write(data);
        const heard = () => met() || form.lastFrame() !== before;
        const wasHeard = await until(heard, 3000, 'a change').then(() => true, () => false);
        if (wasHeard) return until(met, 8000, `the effect of ${JSON.stringify(data)}`);
        if (attempt >= 5) throw new Error(`nothing heard ${JSON.stringify(data)} in 5 tries`);
      }
    };
    await see('› category');
    // Number keys pick an item in one press; arrows then Enter would race the select's own
    // key handler, which sees the highlight only a render later.
    await press(DOWN, '❯ 2. network_problem');
    await press('2', '› severity');
    await press('3', '› step');
    await see(/❯ \d\. configuration/);
    await press(ENTER, '› description');
    await press('Drops after 5 s', '15 characters (min 20: 5 more)');
    await press(ENTER, 'at least 20 characters');
    await press(' every time.', '27 characters (min 20)');
    await press(ENTER, '› photo URLs');
    const bad = 'ftp://example.com/p.jpg';
    await press(bad, bad);
    await press(ENTER, 'photo_urls[0] has an invalid format');
    // The input line sits under the field's label.
    const input = (): string => {
      const lines = (form.lastFrame() ?? '').split('\n');
      return (lines[lines.findIndex((l) => l.includes('› photo URLs')) + 1] ?? '').replace(/[|\s]+$/, '').replace(/^\|\s+/, '');
    };
    for (let left = bad.length - 1; left > 0; left -= 1) await press('\u007F', () => input() === bad.slice(0, left));
    await press('\u007F', 'https://… (optional');
    await press('https://example.com/p.jpg', 'https://example.com/p.jpg');
    await settled();
    form.stdin.write(ENTER);
    await until(() => done !== undefined, 5000, 'the report to be filed');
    expect(done).toMatchObject({ category: 'network_problem', severity: 'high', charge_point_id: 'CP-FAST' });
    const stored = t.server.store.issues.get(done!.issue_id)!;
    expect(stored).toMatchObject({ step: 'configuration', description: 'Drops after 5 s every time.', photoUrls: ['https://example.com/p.jpg'] });
    form.unmount();
  });

  test('after a session that skipped its test transaction, the form offers only the steps it ran', async () => {
    await t.client.start('CP-SKIP', { skip_test_transaction: true });
    await waitForEnd(t.client, 'CP-SKIP');
    const steps = issueStepsOf(await t.client.status('CP-SKIP'));
    expect(steps.steps).toEqual(['connectivity', 'heartbeat', 'configuration']);
    const form = render(<IssueForm client={t.client} chargePointId="CP-SKIP" theme={plain} initial={{ category: 'other', severity: 'low' }} steps={steps.steps} onDone={() => undefined} />);
    for (const field of ['› severity', '› step']) {
      await settledFrame(form.lastFrame);
      form.stdin.write(ENTER);
      await frameWith(form.lastFrame, field);
    }
    expect(form.lastFrame()).toContain('4. configuration');
    expect(form.lastFrame()).not.toContain('test_transaction');
    form.stdin.write(ESC);
    form.unmount();
  });

  test("a stopped or failed session offers the steps it never reached too; a step asked for is always offered; an odd or hostile answer offers only known steps", async () => {
    const status = await t.client.status('CP-SKIP');
    const names = ['connectivity', 'heartbeat', 'configuration', 'test_transaction'];
    for (const ended of [{ status: 'stopped', result: null }, { status: 'failed', result: 'failed' }, { status: 'completed', result: 'failed' }] as const) {
      expect(issueStepsOf({ ...status, ...ended }).steps, ended.status).toEqual(names);
    }
    expect(issueStepsOf({} as typeof status)).toEqual({});
    const hostile = [...Array(10_000).keys()].map((i) => ({ name: `step_${i}`, status: 'failed' }));
    expect(issueStepsOf({ ...status, steps: [...hostile, ...status.steps] as typeof status.steps })).toEqual({ steps: ['connectivity', 'heartbeat', 'configuration'] });
    const form = render(<IssueForm client={t.client} chargePointId="CP-SKIP" theme={plain} initial={{ category: 'other', severity: 'low', step: 'test_transaction' }} steps={['connectivity']} onDone={() => undefined} />);
    for (const field of ['› severity', '› step']) {
      await settledFrame(form.lastFrame);
      form.stdin.write(ENTER);
      await frameWith(form.lastFrame, field);
    }
    expect(form.lastFrame()).toMatch(/❯ 3\. test_transaction/);
    form.stdin.write(ESC);
    form.unmount();
  });

  test("the server's own validation errors are shown on their field", async () => {
    // A hosted API may check more than our schema; its answer must land on the right field.
    const hosted = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'validation_error', message: 'nope', details: [{ field: 'description', message: 'description must name the bay number' }] } }));
    });
    await new Promise<void>((r) => hosted.listen(0, '127.0.0.1', () => r()));
    const client = new ApiClient(`http://127.0.0.1:${(hosted.address() as AddressInfo).port}`, { token: 'x' });
    const form = render(
      <IssueForm client={client} chargePointId="CP-FAST" theme={plain} initial={{ category: 'other', severity: 'low', description: 'Something is wrong with it.' }} onDone={() => undefined} />,
    );
    for (const _ of [1, 2, 3, 4, 5]) {
      await settledFrame(form.lastFrame);
      form.stdin.write(ENTER);
    }
    await frameWith(form.lastFrame, 'description must name the bay number');
    expect(form.lastFrame()).toContain('› description');
    form.stdin.write(ESC);
    form.unmount();
    await client.close();
    hosted.close();
  });
});

test('login prompt: the password is masked as it is typed', async () => {
  let answers: unknown;
  const prompt = render(<LoginPrompt theme={plain} apiUrl="http://x" onDone={(a) => (answers = a)} />);
  await settledFrame(prompt.lastFrame);
  prompt.stdin.write('me@example.com');
  await frameWith(prompt.lastFrame, 'me@example.com');
  await settledFrame(prompt.lastFrame);
  prompt.stdin.write(ENTER);
  await frameWith(prompt.lastFrame, 'password');
  await settledFrame(prompt.lastFrame);
  prompt.stdin.write('s3cret!');
  await frameWith(prompt.lastFrame, '•••••••');
  expect(prompt.lastFrame()).not.toContain('s3cret');
  await settledFrame(prompt.lastFrame);
  prompt.stdin.write(ENTER);
  await until(() => answers !== undefined, 2000, 'answers');
  expect(answers).toEqual({ email: 'me@example.com', password: 's3cret!' });
  prompt.unmount();
});

test('log viewer: prints the session, hides OCPP frames by default, ends with the session', async () => {
  await t.client.start('CP-FAST', { skip_test_transaction: true });
  const end = await waitForEnd(t.client, 'CP-FAST');
  let exited = false;
  const viewer = render(<LogViewer client={t.client} chargePointId="CP-FAST" sessionId={end.session_id} initialFilter="info+" theme={plain} pollMs={30} onExit={() => (exited = true)} />);
  await until(() => exited, 5000, 'the viewer to end');
  const all = viewer.frames.join('\n');
  expect(all).toContain('Session completed: passed');
  expect(all).not.toContain('sent [2,');
  viewer.unmount();
});
