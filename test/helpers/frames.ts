import { until } from './ocpp.js';

/** Waits for an ink view's last frame to contain `text`; resolves with that frame. */
export async function frameWith(lastFrame: () => string | undefined, text: string | RegExp, timeoutMs = 8000): Promise<string> {
  await until(() => {
    const f = lastFrame() ?? '';
    return typeof text === 'string' ? f.includes(text) : text.test(f);
  }, timeoutMs, `a frame with ${String(text)}`);
  return lastFrame()!;
}
