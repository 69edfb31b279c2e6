import { Box, Static, Text, useInput, useStdin, useStdout } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.js';
import { ApiRequestError, NetworkError } from '../../api/client-errors.js';
import type { IssueCreated, StatusResponse, StepState } from '../../api/contract.js';
import type { CliContext } from '../context.js';
import { PollSchedule } from '../poll.js';
import { exitCodeOfSession, failureNextSteps, formatDuration, formatElapsed, isFinished, shownStatus, summaryLine } from '../session-format.js';
import { shellWord } from '../../common/shell-word.js';
import type { Theme } from '../theme.js';
import { IssueForm, issueStepsOf } from './issue-form.js';
import { Paint, StepBadge, useKeyState } from './kit.js';
import { LogTail } from './log-viewer.js';
import { runView } from './ink.js';

type Mode = 'view' | 'confirm-stop' | 'confirm-restart' | 'logs' | 'issue';

export interface SessionViewProps {
  client: ApiClient;
  chargePointId: string;
  theme: Theme;
  /** `quit`: the installer pressed q and the session goes on without the view, `at` that step. */
  onExit(code: number, quit?: boolean, at?: string): void;
  /** Fastest poll; tests lower it. */
  pollMs?: number;
  /** Commands as they must be typed against this server, for the lines after a failure. */
  command?: (args: string) => string;
  /** Opened from the site view: Esc or q goes back to it, and the view stays when the session ends. */
  onBack?: () => void;
}

type Printed =
  | { key: string; kind: 'header'; status: StatusResponse }
  | { key: string; kind: 'step'; step: StepState }
  | { key: string; kind: 'note'; text: string };

/**
 * One step: fixed columns that never run into each other. Live, the detail is cut to the width
 * (the live region must stay short); printed for good, it wraps within its column.
 */
function StepRow({ theme, step, wrap = 'truncate-end', paused = false }: { theme: Theme; step: StepState; wrap?: 'truncate-end' | 'wrap'; paused?: boolean }) {
  return (
    <Box>
      <Box width={theme.color ? 2 : 9} flexShrink={0}>
        <StepBadge theme={theme} status={paused && step.status === 'running' ? 'paused' : (shownStatus(step) as StepState['status'] | 'warning')} />
      </Box>
      <Box width={18} flexShrink={0}>
        <Text>{step.name}</Text>
      </Box>
      <Box width={11} flexShrink={0}>
        <Paint theme={theme} dim>
          {formatDuration(step.duration_ms)}
        </Paint>
      </Box>
      <Box flexGrow={1}>
        <Text wrap={wrap}>{step.detail ?? ''}</Text>
      </Box>
    </Box>
  );
}

/** A finished step and its warnings, printed once. */
function FinishedStep({ theme, step }: { theme: Theme; step: StepState }) {
  return (
    <Box flexDirection="column">
      <StepRow theme={theme} step={step} wrap="wrap" />
      {(step.warnings ?? []).map((w, i) => (
        <Box key={i} paddingLeft={theme.color ? 2 : 9}>
          <Box width={theme.color ? 2 : 9} flexShrink={0}>
            <Paint theme={theme} color="yellow">
              {theme.color ? '⚠' : 'warning:'}
            </Paint>
          </Box>
          <Text wrap="wrap">{w}</Text>
        </Box>
      ))}
    </Box>
  );
}

/** The keys that make sense now: resume while paused, pause while running; shorter on a narrow terminal. */
function keyBar(status: StatusResponse, columns: number, back: boolean): string {
  const toggle = status.status === 'paused' ? 'r resume' : 'p pause';
  const leave = back ? 'Esc back' : 'q quit';
  const full = `${toggle} · s stop · R restart · l logs · i report issue · ${leave}`;
  return full.length < columns ? full : `${toggle} s stop R restart l logs i issue ${leave}`;
}

const describe = (err: unknown): string => (err instanceof ApiRequestError || err instanceof NetworkError || err instanceof Error ? err.message : String(err));

/**
 * The live session: finished steps printed once above (no flicker), the running and pending
 * ones below, updated by polling that backs off when nothing changes or the link is down.
 * Keys: p pause, r resume, s stop (confirm), R restart, l logs, i report an issue, q quit.
 */
export function SessionView({ client, chargePointId, theme, onExit, pollMs = 1000, command = (a) => `dynamo ${a}`, onBack }: SessionViewProps) {
  const { isRawModeSupported } = useStdin();
  const { stdout } = useStdout();
  const [status, setStatus] = useState<StatusResponse | null>(null);
  const [printed, setPrinted] = useState<Printed[]>([]);
  const [offline, setOffline] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [mode, modeRef, setModeNow] = useKeyState<Mode>('view');
  // Quitting mid-session: the live rows go first (a frozen spinner would stay on screen above the
  // line that says how to watch again), then the view ends.
  const [leaving, setLeaving] = useState<{ at: string | undefined } | null>(null);
  useEffect(() => {
    if (leaving) onExit(0, true, leaving.at);
  }, [leaving, onExit]);
  const [, setTick] = useState(0);
  const poke = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let last = '';
    const schedule = new PollSchedule(pollMs);
    const tick = async (): Promise<void> => {
      let outcome: 'changed' | 'unchanged' | 'failed';
      try {
        const next = await client.status(chargePointId);
        const text = JSON.stringify(next);
        outcome = text === last ? 'unchanged' : 'changed';
        last = text;
        setOffline(null);
        if (!stopped) setStatus(next);
      } catch (err) {
        outcome = 'failed';
        if (!stopped) setOffline(describe(err));
      }
      if (!stopped) timer = setTimeout(() => void tick(), schedule.next(outcome));
    };
    poke.current = () => {
      clearTimeout(timer);
      schedule.next('changed');
      timer = setTimeout(() => void tick(), 0);
    };
    void tick();
    const clock = setInterval(() => setTick((n) => n + 1), 1000);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(clock);
    };
  }, [client, chargePointId, pollMs]);

  // Finished steps move into <Static>, once each; a new session (restart) gets a new header.
  useEffect(() => {
    if (!status) return;
    setPrinted((items) => {
      const keys = new Set(items.map((i) => i.key));
      const add: Printed[] = [];
      const header = `header:${status.session_id}`;
      if (!keys.has(header)) {
        // A restart: the block of the session before ends saying what became of it.
        const previous = [...items].reverse().find((i) => i.kind === 'header');
        if (previous && previous.kind === 'header') add.push({ key: `superseded:${previous.status.session_id}`, kind: 'note', text: `session ${previous.status.session_id} was stopped and superseded by ${status.session_id} (restart)` });
        add.push({ key: header, kind: 'header', status });
      }
      for (const step of status.steps) {
        if (step.status === 'pending' || step.status === 'running') break;
        const key = `${status.session_id}:${step.name}`;
        if (!keys.has(key)) add.push({ key, kind: 'step', step });
      }
      return add.length > 0 ? [...items, ...add] : items;
    });
  }, [status]);

  const finished = status !== null && isFinished(status);
  // "Resume: done" is news while the session runs; under the verdict it is noise. (A notice set
  // after the end, an issue reported from the site view, stays.)
  useEffect(() => {
    if (finished) setNotice(null);
  }, [finished]);
  // Leave only once every finished step has gone to <Static>, so the last one is not lost.
  const allPrinted = status !== null && status.steps.every((s) => printed.some((p) => p.key === `${status.session_id}:${s.name}`));
  useEffect(() => {
    if (finished && allPrinted && mode === 'view' && !onBack) onExit(exitCodeOfSession(status));
  }, [finished, allPrinted, mode, status, onExit, onBack]);

  const act = useCallback(
    async (label: string, fn: () => Promise<unknown>) => {
      setNotice(`${label}…`);
      try {
        await fn();
        setNotice(`${label}: done`);
      } catch (err) {
        setNotice(`${label} failed: ${describe(err)}`);
      }
      poke.current();
    },
    [],
  );

  const [issueSteps, setIssueSteps] = useState<ReturnType<typeof issueStepsOf>>({});

  // Keys read the latest status through a ref, as the mode (useKeyState).
  const statusRef = useRef(status);
  statusRef.current = status;

  useInput(
    (input, key) => {
      const current = modeRef.current;
      if (current === 'issue') return;
      if (current === 'confirm-stop' || current === 'confirm-restart') {
        setModeNow('view');
        const [label, action] = current === 'confirm-stop' ? ['Stop', () => client.stop(chargePointId)] as const : ['Restart', () => client.restart(chargePointId)] as const;
        if (input === 'y' || input === 'Y') void act(label, action);
        else setNotice(`${label} cancelled`);
        return;
      }
      if (current === 'logs') {
        if (input === 'l' || input === 'q' || key.escape) setModeNow('view');
        return;
      }
      const latest = statusRef.current;
      if (input === 'p') void act('Pause', () => client.pause(chargePointId));
      else if (input === 'r') void act('Resume', () => client.resume(chargePointId));
      else if (input === 's') setModeNow('confirm-stop');
      else if (input === 'R') setModeNow('confirm-restart');
      else if (input === 'l') setModeNow('logs');
      else if (input === 'i') {
        // Taken as the form opens: a list that changed under the cursor (the session ending meanwhile) would move its pick.
        setIssueSteps(issueStepsOf(latest ?? null));
        setModeNow('issue');
      }
      else if (onBack && (input === 'q' || key.escape)) onBack();
      else if (input === 'q') {
        if (latest && isFinished(latest)) onExit(exitCodeOfSession(latest));
        else setLeaving({ at: latest?.steps.find((x) => x.status === 'running')?.name });
      }
    },
    { isActive: isRawModeSupported === true && mode !== 'issue' },
  );

  // The live region stays a few lines high: ink redraws the whole screen, scrollback included,
  // whenever it is taller than the terminal. Finished steps are in <Static> above.
  const running = status?.steps.filter((s) => s.status === 'running') ?? [];
  const pending = status?.steps.filter((s) => s.status === 'pending') ?? [];
  const nextSteps = finished ? failureNextSteps(status, command) : null;
  return (
    <Box flexDirection="column">
      <Static items={printed}>
        {(item) => (
          // <Static> lays its items out free of the screen's width: each is given it explicitly,
          // so that long details wrap in their column instead of running past the edge.
          <Box key={item.key} width={stdout.columns || 80} flexDirection="column">
            {item.kind === 'header' ? (
              <Text>
                <Paint theme={theme} bold>
                  {item.status.charge_point_id}
                </Paint>
                {`  session ${item.status.session_id}  ${item.status.template_id ?? ''}`}
              </Text>
            ) : item.kind === 'note' ? (
              <Paint theme={theme} dim>
                {item.text}
              </Paint>
            ) : (
              <FinishedStep theme={theme} step={item.step} />
            )}
          </Box>
        )}
      </Static>
      {leaving ? null : status === null ? (
        <Text>{offline ? `Cannot reach the server: ${offline}; retrying…` : `Loading ${chargePointId}…`}</Text>
      ) : (
        <Box flexDirection="column">
          {running.map((step) => (
            <StepRow key={`${status.session_id}:${step.name}`} theme={theme} step={step} paused={status.status === 'paused'} />
          ))}
          {pending.length > 0 ? (
            <Paint theme={theme} dim>
              <Text wrap="truncate-end">{`next: ${pending.map((p) => p.name).join(', ')}`}</Text>
            </Paint>
          ) : null}
          {finished ? (
            // Once the last step is printed above: the summary comes after it, and only once.
            allPrinted ? <Box flexDirection="column">
              <Text>{summaryLine(theme, status)}</Text>
              {nextSteps ? <Paint theme={theme} dim>{nextSteps}</Paint> : null}
            </Box> : null
          ) : (
            <Text>
              {'Session '}
              <Paint theme={theme} color={status.status === 'paused' ? 'yellow' : 'cyan'}>
                {status.status}
              </Paint>
              {status.status === 'paused' && status.paused_at_step ? ` at ${status.paused_at_step}` : ''}
              {`  ${formatElapsed(status.started_at)}`}
            </Text>
          )}
          {offline && status ? <Paint theme={theme} color="yellow">{`Connection trouble: ${offline}; retrying with back-off`}</Paint> : null}
          {notice ? <Paint theme={theme} dim>{notice}</Paint> : null}
          {mode === 'confirm-stop' ? <Paint theme={theme} color="yellow">Stop this session? A running test transaction is stopped too. (y/N)</Paint> : null}
          {mode === 'confirm-restart' ? <Paint theme={theme} color="yellow">Restart: stop this session and start a new one from the first step? (y/N)</Paint> : null}
          {mode === 'logs' ? <LogTail client={client} chargePointId={chargePointId} sessionId={status.session_id} theme={theme} follow={command(`logs ${shellWord(chargePointId)} --follow`)} /> : null}
          {mode === 'issue' ? (
            <IssueForm
              client={client}
              chargePointId={chargePointId}
              theme={theme}
              initial={{ ...(issueSteps.step && { step: issueSteps.step }) }}
              steps={issueSteps.steps}
              onDone={(created: IssueCreated | null) => {
                setModeNow('view');
                setNotice(created ? `Reported ${created.reference_number}` : 'Issue report cancelled');
              }}
            />
          ) : null}
          {(!finished || onBack) && mode === 'view' && isRawModeSupported ? (
            <Paint theme={theme} dim>
              {finished ? 'Esc back' : keyBar(status, stdout.columns || 80, onBack !== undefined)}
            </Paint>
          ) : null}
        </Box>
      )}
    </Box>
  );
}

/**
 * Shows the session until it ends (0 passed, 3 not) or the installer quits (0; the session goes
 * on, and the line after the view says how to watch it again: `watchAgain`).
 */
export async function runSessionView(ctx: CliContext, client: ApiClient, chargePointId: string, watchAgain: string): Promise<number> {
  const { code, quit, at } = await runView<{ code: number; quit: boolean; at?: string | undefined }>(ctx, { code: 0, quit: false }, (finish) => (
    <SessionView client={client} chargePointId={chargePointId} theme={ctx.theme} command={(a) => ctx.command(a)} onExit={(c, q, step) => finish({ code: c, quit: q === true, at: step })} />
  ));
  if (quit) ctx.out.line(`The session goes on without this view${at ? ` (at ${at})` : ''}. Watch it again: ${watchAgain}`);
  return code;
}
