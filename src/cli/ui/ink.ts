import { createElement, type ReactElement } from 'react';
import type { CliContext } from '../context.js';
import { Interrupted } from '../errors.js';

/**
 * Mounts an ink view. ink and react are imported here and only here, when a view is drawn: a
 * plain command never pays for them. Without colour, chalk is told so before it loads.
 */
export async function mount(ctx: CliContext, element: ReactElement) {
  if (!ctx.theme.color) process.env['FORCE_COLOR'] = '0';
  // A pseudo-terminal without a size (script, some CI runners) reports 0 columns and rows; ink
  // would then wrap every character onto its own line and redraw the whole screen each time.
  if (!ctx.streams.stdout.columns) ctx.streams.stdout.columns = 100;
  if (!ctx.streams.stdout.rows) ctx.streams.stdout.rows = 40;
  const [{ render }, { keyStream }] = await Promise.all([import('ink'), import('./key-stream.js')]);
  const keys = ctx.streams.stdin.isTTY ? keyStream(ctx.streams.stdin) : null;
  // The terminal stops echoing now, not when ink's input hooks mount after the first frame:
  // a password typed (or pasted) ahead of them would be echoed by the terminal itself.
  if (keys) ctx.streams.stdin.setRawMode(true);
  // Ctrl-C is ours to handle (exit 130), not ink's (which would end the view as if it had finished).
  return render(element, {
    stdout: ctx.streams.stdout,
    stdin: keys ?? ctx.streams.stdin,
    stderr: ctx.streams.stderr,
    exitOnCtrlC: false,
    patchConsole: false,
    // Keys that came together are handed on one per frame (key-stream.ts).
    ...(keys && { onRender: () => keys.rendered() }),
  });
}

/**
 * Mounts a view that ends by calling `finish(value)`; resolves with that value once it has
 * unmounted. Ctrl-C anywhere in it ends it with Interrupted (exit 130).
 */
export async function runView<T>(ctx: CliContext, fallback: T, build: (finish: (value: T) => void) => ReactElement): Promise<T> {
  const { CtrlC } = await import('./ctrl-c.js');
  let result = fallback;
  let finished = false;
  let interrupted = false;
  let app: Awaited<ReturnType<typeof mount>> | null = null;
  const finish = (value: T): void => {
    result = value;
    finished = true;
    app?.unmount();
  };
  const interrupt = (): void => {
    interrupted = true;
    finish(fallback);
  };
  // Which server the view shows, above it, as every plain command says it.
  ctx.out.announceServer();
  app = await mount(ctx, createElement(CtrlC, { onInterrupt: interrupt }, build(finish)));
  if (finished) app.unmount();
  try {
    await app.waitUntilExit();
  } finally {
    // ink restores the terminal when its last input hook goes; this covers a view that had none.
    if (ctx.streams.stdin.isTTY) ctx.streams.stdin.setRawMode(false);
  }
  if (interrupted) throw new Interrupted();
  return result;
}
