import type { StepStatus } from '../api/contract.js';

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta';

const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
  magenta: [35, 39],
};

export interface Theme {
  /** Colour and glyphs: only on a terminal, never under NO_COLOR, --no-color or TERM=dumb. */
  readonly color: boolean;
  paint(style: Style, text: string): string;
  status(status: StepStatus | string): string;
  /** A confirmation: a green tick before it on a terminal, the bare sentence otherwise. */
  ok(text: string): string;
  /** A status glyph and a space on a terminal; nothing otherwise (the sentence says it). */
  mark(status: string): string;
}

const GLYPHS: Record<string, string> = {
  pending: '○',
  running: '●',
  paused: '‖',
  passed: '✔',
  // A step that passed but said something (an optional key refused, 0 Wh): not a clean pass.
  warning: '⚠',
  completed: '✔',
  failed: '✖',
  stopped: '■',
  skipped: '↷',
};

const STATUS_STYLE: Record<string, Style> = {
  running: 'cyan',
  paused: 'yellow',
  passed: 'green',
  warning: 'yellow',
  completed: 'green',
  failed: 'red',
  stopped: 'yellow',
  skipped: 'dim',
  pending: 'dim',
};

export function colorAllowed(stream: { isTTY?: boolean }, noColorFlag: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (noColorFlag) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

export function makeTheme(color: boolean): Theme {
  return {
    color,
    paint: (style, text) => (color ? `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m` : text),
    ok(text) {
      return `${this.mark('passed')}${text}`;
    },
    mark(status) {
      return color ? `${this.paint(STATUS_STYLE[status] ?? 'bold', GLYPHS[status] ?? '•')} ` : '';
    },
    // Without colour a glyph says nothing to a screen reader or a log file: use the word.
    status(status) {
      if (!color) return status;
      return this.paint(STATUS_STYLE[status] ?? 'bold', `${GLYPHS[status] ?? '•'} ${status}`);
    },
  };
}
