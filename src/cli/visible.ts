/**
 * Text that did not come from us (a charger's vendor and model, its raw frames, a remote
 * server's error message) must not drive the installer's terminal: an escape sequence could
 * retitle the window or clear the screen, a newline could forge a "commissioned" line, a bidi
 * override could reorder what is read. Control characters (C0, DEL, C1) and the bidi controls
 * are shown as escapes instead: `\x1b`, `\n`, `\u202e`.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escape = (c: string): string => {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
};

export function visible(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** Every string inside a value (an API answer) made visible; for output to people, never for --json. */
export function visibleDeep<T>(value: T): T {
  if (typeof value === 'string') return visible(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => visibleDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visibleDeep(v)])) as T;
  }
  return value;
}
