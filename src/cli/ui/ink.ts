import type { ReactElement } from 'react';
import type { CliContext } from '../context.js';

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
  const { render } = await import('ink');
  return render(element, { stdout: ctx.streams.stdout, stdin: ctx.streams.stdin, stderr: ctx.streams.stderr, exitOnCtrlC: true, patchConsole: false });
}

/** Mounts a view that ends by calling `finish(value)`; resolves with that value once it has unmounted. */
export async function runView<T>(ctx: CliContext, fallback: T, build: (finish: (value: T) => void) => ReactElement): Promise<T> {
  let result = fallback;
  let finished = false;
  let app: Awaited<ReturnType<typeof mount>> | null = null;
  const finish = (value: T): void => {
    result = value;
    finished = true;
    app?.unmount();
  };
  app = await mount(ctx, build(finish));
  if (finished) app.unmount();
  await app.waitUntilExit();
  return result;
}
