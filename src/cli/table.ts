import type { Theme } from './theme.js';

/** Columns padded to their widest cell; the header dimmed on a terminal. */
export function table(theme: Theme, header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [theme.paint('dim', format(header)), ...rows.map(format)];
}
