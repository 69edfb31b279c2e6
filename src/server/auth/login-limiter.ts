import { ApiError } from '../../api/errors.js';
import { sourceOf } from '../../common/source-address.js';

/**
 * Slows password guessing: after `maxFailures` failed logins from one source within the
 * window, further attempts get 429 rate_limited until the window has passed. A success clears
 * the source. Sources are counted as `sourceOf` says: loopback is one source, and the local
 * server's own socket is another.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 5 * 60_000,
  ) {}

  check(address: string): void {
    const recent = this.recent(sourceOf(address));
    if (recent.length >= this.maxFailures) {
      const retryAfterS = Math.ceil((recent[0]! + this.windowMs - Date.now()) / 1000);
      throw new ApiError('rate_limited', `too many failed logins; try again in ${retryAfterS} s`, [{ retry_after_seconds: retryAfterS }]);
    }
  }

  failed(address: string): void {
    const source = sourceOf(address);
    const recent = this.recent(source);
    recent.push(Date.now());
    this.failures.set(source, recent);
    if (this.failures.size > 10_000) this.prune();
  }

  succeeded(address: string): void {
    this.failures.delete(sourceOf(address));
  }

  private recent(source: string): number[] {
    const cutoff = Date.now() - this.windowMs;
    return (this.failures.get(source) ?? []).filter((t) => t > cutoff);
  }

  private prune(): void {
    for (const source of [...this.failures.keys()]) {
      if (this.recent(source).length === 0) this.failures.delete(source);
    }
  }
}
