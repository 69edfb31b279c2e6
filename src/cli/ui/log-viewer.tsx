import { Box, Static, Text, useInput, useStdin } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.js';
import type { LogEntry, LogLevel } from '../../api/contract.js';
import type { CliContext } from '../context.js';
import { logLine } from '../log-format.js';
import { PollSchedule } from '../poll.js';
import { isFinished } from '../session-format.js';
import type { Theme } from '../theme.js';
import { runView } from './ink.js';
import { Paint } from './kit.js';

/** Which levels a filter shows: one level exactly, "info+" (everything but OCPP frames), or all. */
export type LevelFilter = LogLevel | 'info+' | 'all';

export const matches = (filter: LevelFilter, entry: LogEntry): boolean =>
  filter === 'all' ? true : filter === 'info+' ? entry.level !== 'debug' : entry.level === filter;

/**
 * The last lines of a session, refreshed while shown (the live view's `l`). `follow`: the command
 * that follows every line, for the server and data directory in use.
 */
export function LogTail({ client, chargePointId, sessionId, theme, follow, lines = 10 }: { client: ApiClient; chargePointId: string; sessionId: string; theme: Theme; follow: string; lines?: number }) {
  const [tail, setTail] = useState<LogEntry[]>([]);
  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const load = async (): Promise<void> => {
      try {
        const head = await client.logs(chargePointId, { session_id: sessionId, limit: 1 });
        const page = await client.logs(chargePointId, { session_id: sessionId, offset: Math.max(0, head.total - 200), limit: 200 });
        if (!stopped) setTail(page.logs.filter((l) => l.level !== 'debug').slice(-lines));
      } catch {
        // The status line already says when the server cannot be reached.
      }
      if (!stopped) timer = setTimeout(() => void load(), 1500);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client, chargePointId, sessionId, lines]);
  return (
    <Box flexDirection="column" borderStyle={theme.color ? 'round' : 'classic'} paddingX={1}>
      <Paint theme={theme} dim>
        latest log lines (l to close; {follow} for all)
      </Paint>
      {tail.map((entry) => (
        <Text key={entry.seq} wrap="truncate-end">
          {logLine(theme, entry)}
        </Text>
      ))}
    </Box>
  );
}

export interface LogViewerProps {
  client: ApiClient;
  chargePointId: string;
  sessionId: string | null;
  initialFilter: LevelFilter;
  theme: Theme;
  onExit(): void;
  pollMs?: number;
}

/**
 * `dynamo logs --follow` for a person: every line goes to the scrollback once; keys change which
 * levels are shown from now on (a all, d debug, i info, w warn, e error, f info and above).
 */
export function LogViewer({ client, chargePointId, sessionId, initialFilter, theme, onExit, pollMs = 1000 }: LogViewerProps) {
  const { isRawModeSupported } = useStdin();
  const [filter, setFilter] = useState<LevelFilter>(initialFilter);
  const [printed, setPrinted] = useState<LogEntry[]>([]);
  const [state, setState] = useState<string>('loading…');
  const filterRef = useRef(filter);
  filterRef.current = filter;

  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let offset = 0;
    let session = sessionId;
    const schedule = new PollSchedule(pollMs);
    const tick = async (): Promise<void> => {
      let outcome: 'changed' | 'unchanged' | 'failed' = 'unchanged';
      let ended = false;
      try {
        const status = await client.status(chargePointId);
        session ??= status.session_id;
        ended = status.session_id !== session || isFinished(status);
        const page = await client.logs(chargePointId, { session_id: session, offset, limit: 1000 });
        offset += page.logs.length;
        const shown = page.logs.filter((l) => matches(filterRef.current, l));
        if (shown.length > 0) setPrinted((p) => [...p, ...shown]);
        if (page.logs.length > 0) outcome = 'changed';
        setState(ended ? 'session ended' : `following session ${session}`);
        if (ended && page.logs.length < 1000) {
          onExit();
          return;
        }
      } catch (err) {
        outcome = 'failed';
        setState(`cannot reach the server (${(err as Error).message}); retrying`);
      }
      if (!stopped) timer = setTimeout(() => void tick(), ended ? 0 : schedule.next(outcome));
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client, chargePointId, sessionId, pollMs, onExit]);

  useInput(
    (input) => {
      const next: Record<string, LevelFilter> = { a: 'all', d: 'debug', i: 'info', w: 'warn', e: 'error', f: 'info+' };
      if (input === 'q') onExit();
      else if (next[input]) setFilter(next[input]!);
    },
    { isActive: isRawModeSupported === true },
  );

  return (
    <Box flexDirection="column">
      <Static items={printed}>{(entry) => <Text key={entry.seq}>{logLine(theme, entry)}</Text>}</Static>
      <Paint theme={theme} dim>
        {`${state} · showing ${filter} · a all · f info+ · d/i/w/e one level · q quit`}
      </Paint>
    </Box>
  );
}

export function runLogViewer(ctx: CliContext, client: ApiClient, chargePointId: string, sessionId: string | null, level: LogLevel | null): Promise<number> {
  return runView(ctx, 0, (finish) => (
    <LogViewer client={client} chargePointId={chargePointId} sessionId={sessionId} initialFilter={level ?? 'info+'} theme={ctx.theme} onExit={() => finish(0)} />
  ));
}
