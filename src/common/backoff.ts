/**
 * Exponential back-off with full jitter: a random delay up to min(max, base·2^attempt). Many
 * laptops (or charge points) that lost the same link do not come back in step.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(baseMs / 2 + random() * (ceiling - baseMs / 2));
}
