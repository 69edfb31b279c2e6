import { Box, Text, useInput, useStdin } from 'ink';
import { useEffect, useState } from 'react';
import type { FirmwareUpdate } from '../../api/contract.js';
import type { Tracked } from '../commands/firmware/update.js';
import { finished } from '../commands/firmware/update.js';
import type { CliContext } from '../context.js';
import { formatElapsed } from '../session-format.js';
import type { Theme } from '../theme.js';
import { runView } from './ink.js';
import { Paint, StepBadge } from './kit.js';

const served = (u: FirmwareUpdate): string => {
  const pct = u.size > 0 ? Math.min(100, Math.floor((u.bytes_served / u.size) * 100)) : 100;
  return `${(u.bytes_served / 1e6).toFixed(1)} of ${(u.size / 1e6).toFixed(1)} MB (${pct}%)`;
};

function Row({ theme, t, now }: { theme: Theme; t: Tracked; now: number }) {
  const u = t.update;
  const badge = t.error || u?.state === 'failed' ? 'failed' : u?.state === 'installed' ? 'passed' : 'running';
  const until = u?.finished_at ? Date.parse(u.finished_at) : now;
  return (
    <Box>
      <Box width={theme.color ? 2 : 9} flexShrink={0}>
        <StepBadge theme={theme} status={badge} />
      </Box>
      <Box width={18} flexShrink={0}>
        <Text wrap="truncate-end">{t.chargePointId}</Text>
      </Box>
      <Box width={20} flexShrink={0}>
        <Text wrap="truncate-end">{u?.status ?? 'not started'}</Text>
      </Box>
      <Box width={22} flexShrink={0}>
        <Paint theme={theme} dim>
          {u ? served(u) : ''}
        </Paint>
      </Box>
      <Box width={7} flexShrink={0}>
        <Paint theme={theme} dim>
          {u ? formatElapsed(u.started_at, until) : ''}
        </Paint>
      </Box>
      <Box flexGrow={1}>
        <Text wrap="truncate-end">{t.error ?? (u && u.state !== 'running' ? (u.detail ?? '') : '')}</Text>
      </Box>
    </Box>
  );
}

export interface FirmwareViewProps {
  theme: Theme;
  initial: Tracked[];
  poll(tracked: Tracked[]): Promise<Tracked[]>;
  onExit(tracked: Tracked[]): void;
  pollMs?: number;
}

/** One row per charger: status, bytes served, elapsed; ends when every update has. q leaves them running. */
export function FirmwareView({ theme, initial, poll, onExit, pollMs = 500 }: FirmwareViewProps) {
  const [tracked, setTracked] = useState(initial);
  const [now, setNow] = useState(Date.now());
  const { isRawModeSupported } = useStdin();
  useInput((input) => {
    if (input === 'q') onExit(tracked);
  }, { isActive: isRawModeSupported === true });
  useEffect(() => {
    let stop = false;
    const tick = async (): Promise<void> => {
      let current = initial;
      while (!stop && !current.every(finished)) {
        await new Promise((r) => setTimeout(r, pollMs));
        current = await poll(current);
        if (!stop) {
          setTracked(current);
          setNow(Date.now());
        }
      }
      if (!stop) onExit(current);
    };
    void tick();
    return () => {
      stop = true;
    };
  }, []);
  const done = tracked.filter(finished).length;
  return (
    <Box flexDirection="column">
      <Text>
        Firmware update: {done} of {tracked.length} done
      </Text>
      {tracked.map((t) => (
        <Row key={t.chargePointId} theme={theme} t={t} now={now} />
      ))}
      <Paint theme={theme} dim>
        q leave (the updates go on; dynamo logs {'<cp>'} --firmware follows them)
      </Paint>
    </Box>
  );
}

export function runFirmwareView(ctx: CliContext, poll: (tracked: Tracked[]) => Promise<Tracked[]>, initial: Tracked[]): Promise<Tracked[]> {
  return runView(ctx, initial, (finish) => <FirmwareView theme={ctx.theme} initial={initial} poll={poll} onExit={finish} />);
}
