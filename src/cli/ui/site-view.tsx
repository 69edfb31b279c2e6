import { Box, Text, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.js';
import type { CliContext } from '../context.js';
import { warningCount } from '../session-format.js';
import { currentStep, elapsedOf, exitCodeOfSite, linkOf, shownState, sortedRows, summaryLines, totalsLine, totalsOf } from '../site/site-format.js';
import type { RowAction, RowState, SiteRow, SiteRun } from '../site/site-run.js';
import type { Theme } from '../theme.js';
import { runView } from './ink.js';
import { Paint, useKeyState } from './kit.js';
import { SessionView } from './session-view.js';

type Mode = 'list' | 'session' | 'confirm-stop' | 'confirm-pause-all' | 'confirm-stop-all';

export interface SiteViewProps {
  site: SiteRun;
  client: ApiClient;
  theme: Theme;
  /** `quit`: the installer left before the end; the sessions go on. */
  onExit(code: number, quit: boolean): void;
  command?: (args: string) => string;
  /** Fastest poll of the single-session view opened with Enter; tests lower it. */
  pollMs?: number;
}

/** Lines besides the rows: totals, column names, the picked row's detail, a notice, the keys. */
const CHROME_LINES = 5;

const STATE_COLOR: Partial<Record<RowState, 'red' | 'green' | 'yellow' | 'cyan' | 'gray'>> = {
  failed: 'red',
  error: 'red',
  offline: 'yellow',
  stopped: 'yellow',
  paused: 'yellow',
  running: 'cyan',
  starting: 'cyan',
  passed: 'green',
  queued: 'gray',
};

const cell = (text: string, width: number): string => (text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width));

/** Column widths for a terminal this wide: the fixed ones fit 80 columns; id and model take what is left. */
function widths(columns: number) {
  const extra = Math.max(0, Math.min(columns - 1 - 78, 40));
  return { id: 13 + Math.ceil(extra / 2), model: 11 + Math.floor(extra / 2), link: 7, step: 16, status: 9, result: 6, warnings: 2, elapsed: 6 };
}

function Row({ theme, row, picked, w, now }: { theme: Theme; row: SiteRow; picked: boolean; w: ReturnType<typeof widths>; now: number }) {
  const s = row.session;
  const status = s ? s.status : shownState(row.state);
  const result = s?.result ?? (row.state === 'passed' || row.state === 'failed' ? row.state : '');
  const warnings = s ? warningCount(s) : 0;
  const before = `${picked ? '›' : ' '}${cell(row.id, w.id)} ${cell(row.model ?? '', w.model)} ${cell(linkOf(row), w.link)} ${cell(currentStep(row), w.step)} `;
  const after = ` ${cell(result, w.result)} ${cell(warnings ? String(warnings) : '', w.warnings)} ${elapsedOf(row, now).padStart(w.elapsed)}`;
  const color = STATE_COLOR[row.state];
  return (
    <Text wrap="truncate-end" inverse={picked && theme.color}>
      {before}
      <Paint theme={theme} {...(color && { color })}>
        {cell(status, w.status)}
      </Paint>
      {after}
    </Text>
  );
}

/** What the picked row is doing or why it did not pass: its running step's detail, or its reason. */
function detailOf(row: SiteRow): string {
  if (row.reason) return row.reason;
  const running = row.session?.steps.find((x) => x.status === 'running');
  if (running?.detail) return `${running.name}: ${running.detail}`;
  if (row.followed) return 'a session was already running: following it';
  return row.state === 'queued' ? 'waiting for its turn' : '';
}

function keyBar(done: boolean, columns: number, position: string): string {
  const full = done ? `all done · ↑↓ pick · Enter open · q quit  ${position}` : `↑↓ pick · Enter open · p pause · r resume · s stop · P pause all · S stop all · q quit  ${position}`;
  if (full.length < columns) return full;
  return done ? `done ↑↓ Enter open q quit ${position}` : `↑↓ ⏎ open p r s P S all q quit ${position}`;
}

/**
 * A whole site: a row per charge point (failed ones first), totals above, the picked row's
 * detail below. It keeps within the terminal (rows scroll around the pick, lines cut to the
 * width), so ink redraws only its own lines, never the screen. Enter opens the picked charge
 * point's session view (Esc back); p/r/s act on the picked row, P/S on all after a y/N.
 */
export function SiteView({ site, client, theme, onExit, command = (a) => `dynamo ${a}`, pollMs }: SiteViewProps) {
  const { isRawModeSupported } = useStdin();
  const { stdout } = useStdout();
  const [, setVersion] = useState(0);
  const [mode, modeRef, setModeNow] = useKeyState<Mode>('list');
  const [notice, setNotice] = useState<string | null>(null);
  const [pickedId, setPickedId] = useState<string | null>(null);

  useEffect(() => {
    const off = site.onChange(() => setVersion((v) => v + 1));
    const clock = setInterval(() => setVersion((v) => v + 1), 1000);
    return () => {
      off();
      clearInterval(clock);
    };
  }, [site]);

  const rows = sortedRows(site.rows);
  const columns = stdout.columns || 80;
  const visible = Math.max(1, (stdout.rows || 24) - CHROME_LINES - 1);
  const pick = Math.max(0, rows.findIndex((r) => r.id === pickedId));
  const picked = rows[pick];
  const first = Math.max(0, Math.min(pick - Math.floor(visible / 2), rows.length - visible));
  const shown = rows.slice(first, first + visible);
  const done = site.done;

  // Keys read the pick through a ref, as the mode (useKeyState): Down Down pasted moves two rows.
  const pickRef = useRef(pick);
  pickRef.current = pick;
  const move = (to: number): void => {
    const i = Math.max(0, Math.min(rows.length - 1, to));
    pickRef.current = i;
    setPickedId(rows[i]?.id ?? null);
  };

  const act = (label: string, fn: () => Promise<unknown>): void => {
    setNotice(`${label}…`);
    fn().then(
      (failures) => setNotice(Array.isArray(failures) && failures.length > 0 ? `${label}: ${failures.length} failed (${failures[0]})` : `${label}: done`),
      (err: unknown) => setNotice(`${label} failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  };
  const actOn = (action: RowAction): void => {
    const row = rows[pickRef.current];
    if (row) act(`${action[0]!.toUpperCase()}${action.slice(1)} ${row.id}`, () => site.act(row.id, action));
  };

  useInput(
    (input, key) => {
      const current = modeRef.current;
      if (current === 'confirm-stop' || current === 'confirm-pause-all' || current === 'confirm-stop-all') {
        setModeNow('list');
        const yes = input === 'y' || input === 'Y';
        if (current === 'confirm-stop') return yes ? actOn('stop') : setNotice('Stop cancelled');
        const action = current === 'confirm-pause-all' ? 'pause' : 'stop';
        if (!yes) return setNotice(`${action === 'pause' ? 'Pause' : 'Stop'} all cancelled`);
        return act(action === 'pause' ? 'Pause all' : 'Stop all', () => site.actAll(action));
      }
      if (key.upArrow) move(pickRef.current - 1);
      else if (key.downArrow) move(pickRef.current + 1);
      else if (key.pageUp) move(pickRef.current - visible);
      else if (key.pageDown) move(pickRef.current + visible);
      else if (key.return) {
        const row = rows[pickRef.current];
        if (row?.session || row?.followed) {
          setPickedId(row.id);
          setModeNow('session');
        } else if (row) setNotice(`${row.id}: no session to open${row.reason ? ` (${row.reason})` : ''}`);
      } else if (input === 'p') actOn('pause');
      else if (input === 'r') actOn('resume');
      else if (input === 's') setModeNow('confirm-stop');
      else if (input === 'P') setModeNow('confirm-pause-all');
      else if (input === 'S') setModeNow('confirm-stop-all');
      else if (input === 'q') onExit(site.done ? exitCodeOfSite(site.rows) : 0, !site.done);
    },
    { isActive: isRawModeSupported === true && mode !== 'session' },
  );

  if (mode === 'session' && picked) {
    return (
      <SessionView
        client={client}
        chargePointId={picked.id}
        theme={theme}
        command={command}
        {...(pollMs !== undefined && { pollMs })}
        onExit={() => setModeNow('list')}
        onBack={() => setModeNow('list')}
      />
    );
  }

  const w = widths(columns);
  const now = Date.now();
  const header = ` ${cell('CHARGE POINT', w.id)} ${cell('MODEL', w.model)} ${cell('LINK', w.link)} ${cell('STEP', w.step)} ${cell('STATUS', w.status)} ${cell('RESULT', w.result)} ${cell('⚠', w.warnings)} ${'TIME'.padStart(w.elapsed)}`;
  const position = rows.length > visible ? `${first + 1}–${first + shown.length} of ${rows.length}` : '';
  const confirm =
    mode === 'confirm-stop' && picked
      ? `Stop ${picked.id}'s session? A running test transaction is stopped too. (y/N)`
      : mode === 'confirm-pause-all'
        ? 'Pause every running session? (y/N)'
        : mode === 'confirm-stop-all'
          ? 'Stop every session, and start no more? (y/N)'
          : null;
  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate-end">
        <Paint theme={theme} bold>
          {totalsLine(totalsOf(site.rows))}
        </Paint>
        {site.offline ? <Paint theme={theme} color="yellow">{`  cannot reach the server: ${site.offline}; retrying`}</Paint> : ''}
      </Text>
      <Paint theme={theme} dim>
        <Text wrap="truncate-end">{header}</Text>
      </Paint>
      {shown.map((row) => (
        <Row key={row.id} theme={theme} row={row} picked={row === picked} w={w} now={now} />
      ))}
      <Text wrap="truncate-end">{picked ? `${picked.id}: ${detailOf(picked)}` : ' '}</Text>
      {confirm ? (
        <Paint theme={theme} color="yellow">
          <Text wrap="truncate-end">{confirm}</Text>
        </Paint>
      ) : (
        <Paint theme={theme} dim>
          <Text wrap="truncate-end">{notice ?? ' '}</Text>
        </Paint>
      )}
      {isRawModeSupported ? (
        <Paint theme={theme} dim>
          <Text wrap="truncate-end">{keyBar(done, columns, position)}</Text>
        </Paint>
      ) : null}
    </Box>
  );
}

/**
 * Runs the site in the view until the installer quits (q: 0 before the end, the sessions go on;
 * after it, 0 when every session passed, 3 otherwise), then prints the totals and what to look at.
 */
export async function runSiteView(ctx: CliContext, client: ApiClient, site: SiteRun): Promise<number> {
  let failure: unknown = null;
  let finishView: ((value: { code: number; quit: boolean }) => void) | null = null;
  const running = site.run().catch((err: unknown) => {
    failure = err;
    finishView?.({ code: 0, quit: false });
  });
  let result: { code: number; quit: boolean };
  try {
    result = await runView<{ code: number; quit: boolean }>(ctx, { code: 0, quit: false }, (finish) => {
      finishView = finish;
      return <SiteView site={site} client={client} theme={ctx.theme} command={(a) => ctx.command(a)} onExit={(code, quit) => finish({ code, quit })} />;
    });
  } finally {
    site.cancel();
    await running;
  }
  if (failure) throw failure;
  for (const line of summaryLines(ctx.theme, site.rows, (a) => ctx.command(a))) ctx.out.line(line);
  if (result.quit) {
    const queued = site.rows.filter((r) => r.state === 'queued').length;
    ctx.out.line(`The sessions go on without this view${queued ? `; ${queued} queued were not started` : ''}. See the site: ${ctx.command('site')}`);
  }
  return result.code;
}
