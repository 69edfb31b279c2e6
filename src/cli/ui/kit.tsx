import { Text } from 'ink';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { StepStatus } from '../../api/contract.js';
import type { Theme } from '../theme.js';

type Color = 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta' | 'gray';

/** Text that is coloured only when the theme allows colour. */
export function Paint({ theme, color, bold, dim, children }: { theme: Theme; color?: Color; bold?: boolean; dim?: boolean; children: ReactNode }) {
  if (!theme.color) return <Text>{children}</Text>;
  return (
    <Text {...(color && { color })} bold={bold ?? false} dimColor={dim ?? false}>
      {children}
    </Text>
  );
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function Spinner({ theme }: { theme: Theme }) {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    if (!theme.color) return undefined;
    const timer = setInterval(() => setFrame((f) => (f + 1) % FRAMES.length), 100);
    return () => clearInterval(timer);
  }, [theme.color]);
  return <Paint theme={theme} color="cyan">{theme.color ? FRAMES[frame] : '*'}</Paint>;
}

const GLYPH: Record<string, [string, Color]> = {
  pending: ['○', 'gray'],
  passed: ['✔', 'green'],
  warning: ['⚠', 'yellow'],
  failed: ['✖', 'red'],
  skipped: ['↷', 'gray'],
  running: ['●', 'cyan'],
  // A paused session's running step: still, so the screen does not say it is working.
  paused: ['‖', 'yellow'],
};

/** A step's status: glyph and colour on a capable terminal, the plain word otherwise. */
export function StepBadge({ theme, status }: { theme: Theme; status: StepStatus | 'warning' | 'paused' }) {
  if (!theme.color) return <Text>{status.padEnd(8)}</Text>;
  if (status === 'running') return <Spinner theme={theme} />;
  const [glyph, color] = GLYPH[status] ?? ['•', 'gray'];
  return <Paint theme={theme} color={color}>{glyph}</Paint>;
}

/**
 * State that key handlers read through a ref: two keys typed (or pasted) faster than a render
 * must not be handled with the state of before the first. The value to draw, the ref for the
 * handlers, and a setter that updates both at once.
 */
export function useKeyState<T>(initial: T): [T, { readonly current: T }, (next: T) => void] {
  const [value, setValue] = useState(initial);
  const ref = useRef(value);
  ref.current = value;
  const set = useCallback((next: T) => {
    ref.current = next;
    setValue(next);
  }, []);
  return [value, ref, set];
}
