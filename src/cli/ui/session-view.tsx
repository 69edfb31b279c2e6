import { Box, Static, Text, useInput, useStdin } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.js';
import { ApiRequestError, NetworkError } from '../../api/client-errors.js';
import type { IssueCreated, StatusResponse, StepState } from '../../api/contract.js';
import type { CliContext } from '../context.js';
import { PollSchedule } from '../poll.js';
import { exitCodeOfSession, formatDuration, formatElapsed, isFinished, summaryLine } from '../session-format.js';
import type { Theme } from '../theme.js';
import { IssueForm } from './issue-form.js';
import { Paint, StepBadge } from './kit.js';
import { LogTail } from './log-viewer.js';
import { runView } from './ink.js';

type Mode = 'view' | 'confirm-stop' | 'logs' | 'issue';

export interface SessionViewProps {
  client: ApiClient;
  chargePointId: string;
  theme: Theme;
  onExit(code: number): void;
  /** Fastest poll; tests lower it. */
  pollMs?: number;
}

type Printed = { key: string; kind: 'header'; status: StatusResponse } | { key: string; kind: 'step'; step: StepState };

function StepRow({ theme, step }: { theme: Theme; step: StepState }) {
  return (
    <Box>
      <Box width={theme.color ? 2 : 9}>
        <StepBadge theme={theme} status={step.status} />
      </Box>
      <Box width={17}>
        <Text>{step.name}</Text>
      </Box>
      <Box width={9}>
        <Paint theme={theme} dim>
          {formatDuration(step.duration_ms)}
        </Paint>
      </Box>
      <Text wrap="truncate-end">{step.detail ?? ''}</Text>
    </Box>
  );
}

const describe = (err: unknown): string => (err instanceof ApiRequestError || err instanceof NetworkError || err instanceof Error ? err.message : String(err));

/**
 * The live session: finished steps printed once above (no flicker), the running and pending
 * ones below, updated by polling that backs off when nothing changes or the link is down.
 * Keys: p pause, r resume, s stop (confirm), R restart, l logs, i report an issue, q quit.
 */
export function SessionView({ client, chargePointId, theme, onExit, pollMs = 1000 }: SessionViewProps) {
  const { isRawModeSupported } = useStdin();
  const [status, setStatus] = useState<StatusResponse | null>(null);
  const [printed, setPrinted] = useState<Printed[]>([]);
  const [offline, setOffline] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>('view');
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
      if (!keys.has(header)) add.push({ key: header, kind: 'header', status });
      for (const step of status.steps) {
        if (step.status === 'pending' || step.status === 'running') break;
        const key = `${status.session_id}:${step.name}`;
        if (!keys.has(key)) add.push({ key, kind: 'step', step });
      }
      return add.length > 0 ? [...items, ...add] : items;
    });
  }, [status]);

  const finished = status !== null && isFinished(status);
  // Leave only once every finished step has gone to <Static>, so the last one is not lost.
  const allPrinted = status !== null && status.steps.every((s) => printed.some((p) => p.key === `${status.session_id}:${s.name}`));
  useEffect(() => {
    if (finished && allPrinted && mode === 'view') onExit(exitCodeOfSession(status));
  }, [finished, allPrinted, mode, status, onExit]);

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

  // Keys read the latest mode and status through refs: two keys typed (or pasted) faster than a
  // render must not be handled with the state of before the first.
  const modeRef = useRef(mode);
  const statusRef = useRef(status);
  modeRef.current = mode;
  statusRef.current = status;
  const setModeNow = (next: Mode): void => {
    modeRef.current = next;
    setMode(next);
  };

  useInput(
    (input, key) => {
      const current = modeRef.current;
      if (current === 'issue') return;
      if (current === 'confirm-stop') {
        setModeNow('view');
        if (input === 'y' || input === 'Y') void act('Stop', () => client.stop(chargePointId));
        else setNotice('Stop cancelled');
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
      else if (input === 'R') void act('Restart', () => client.restart(chargePointId));
      else if (input === 'l') setModeNow('logs');
      else if (input === 'i') setModeNow('issue');
      else if (input === 'q') onExit(latest && isFinished(latest) ? exitCodeOfSession(latest) : 0);
    },
    { isActive: isRawModeSupported === true && mode !== 'issue' },
  );

  const live = status?.steps.filter((s) => s.status === 'pending' || s.status === 'running') ?? [];
  const failing = status?.steps.find((s) => s.status === 'failed') ?? status?.steps.find((s) => s.status === 'running');
  return (
    <Box flexDirection="column">
      <Static items={printed}>
        {(item) =>
          item.kind === 'header' ? (
            <Box key={item.key} flexDirection="column">
              <Text>
                <Paint theme={theme} bold>
                  {item.status.charge_point_id}
                </Paint>
                {`  session ${item.status.session_id}  ${item.status.template_id ?? ''}`}
              </Text>
            </Box>
          ) : (
            <StepRow key={item.key} theme={theme} step={item.step} />
          )
        }
      </Static>
      {status === null ? (
        <Text>{offline ? `Cannot reach the server: ${offline}; retrying…` : `Loading ${chargePointId}…`}</Text>
      ) : (
        <Box flexDirection="column">
          {live.map((step) => (
            <StepRow key={`${status.session_id}:${step.name}`} theme={theme} step={step} />
          ))}
          {finished ? (
            <Text>{summaryLine(theme, status)}</Text>
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
          {mode === 'logs' ? <LogTail client={client} chargePointId={chargePointId} sessionId={status.session_id} theme={theme} /> : null}
          {mode === 'issue' ? (
            <IssueForm
              client={client}
              chargePointId={chargePointId}
              theme={theme}
              initial={failing ? { step: failing.name } : {}}
              onDone={(created: IssueCreated | null) => {
                setModeNow('view');
                setNotice(created ? `Reported ${created.reference_number}` : 'Issue report cancelled');
              }}
            />
          ) : null}
          {!finished && mode === 'view' && isRawModeSupported ? (
            <Paint theme={theme} dim>
              p pause · r resume · s stop · R restart · l logs · i report issue · q quit
            </Paint>
          ) : null}
        </Box>
      )}
    </Box>
  );
}

/** Shows the session until it ends (0 passed, 3 not) or the installer quits (0). */
export function runSessionView(ctx: CliContext, client: ApiClient, chargePointId: string): Promise<number> {
  return runView(ctx, 0, (finish) => <SessionView client={client} chargePointId={chargePointId} theme={ctx.theme} onExit={finish} />);
}
