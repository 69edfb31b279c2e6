import type { LogEntry } from '../api/contract.js';
import type { Style, Theme } from './theme.js';

const LEVEL_STYLE: Record<string, Style> = { debug: 'dim', info: 'blue', warn: 'yellow', error: 'red' };

export function logLine(theme: Theme, entry: LogEntry): string {
  const level = theme.paint(LEVEL_STYLE[entry.level] ?? 'bold', entry.level.padEnd(5));
  const step = (entry.step ?? '-').padEnd(16);
  return `${theme.paint('dim', entry.timestamp)}  ${level} ${step} ${entry.message}`;
}
