import { ApiError } from '../../api/errors.js';
import { sourceOf } from '../../common/source-address.js';
import { type FairQueue, QueueFull } from './fair-queue.js';

/**
 * Slows password guessing: after `maxFailures` failed logins from one source within the
 * window, further attempts get 429 rate_limited until the window has passed. A success clears
 * the source. Checks still running count as failures to come, so a hundred guesses sent at once
 * cost no more scrypt than ten sent one by one. Sources are counted as `sourceOf` says: loopback
 * is one source, and the local server's own socket is another.
 *
 * The scrypt itself waits its turn in the queue the charge points' password checks use, under a
 * source of its own: a flood of charger upgrades cannot starve the installer's login, nor a flood
 * of logins the chargers.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly running = new Map<string, number>();

  constructor(
    private readonly passwordChecks: FairQueue,
    private readonly maxFailures = 10,
    private readonly windowMs = 5 * 60_000,
  ) {}

  /** Runs `verify` (true when the password is right) within the source's allowance. */
  async attempt(address: string | null, verify: () => Promise<boolean>): Promise<boolean> {
    const source = sourceOf(address);
    const recent = this.recent(source);
    const running = this.running.get(source) ?? 0;
    if (recent.length + running >= this.maxFailures) {
      const retryAfterS = recent[0] === undefined ? 1 : Math.max(1, Math.ceil((recent[0] + this.windowMs - Date.now()) / 1000));
      throw new ApiError('rate_limited', `too many failed logins; try again in ${retryAfterS} s`, [{ retry_after_seconds: retryAfterS }]);
    }
    this.running.set(source, running + 1);
    try {
      const ok = await this.passwordChecks.run(`login ${source}`, verify);
      if (ok) this.failures.delete(source);
      else this.failed(source);
      return ok;
    } catch (err) {
      if (err instanceof QueueFull) throw new ApiError('rate_limited', 'the server is busy checking passwords; try again in 5 s', [{ retry_after_seconds: 5 }]);
      throw err;
    } finally {
      const left = (this.running.get(source) ?? 1) - 1;
      if (left === 0) this.running.delete(source);
      else this.running.set(source, left);
    }
  }

  private failed(source: string): void {
    // Read again: other checks of this source may have failed while this one ran.
    const recent = this.recent(source);
    recent.push(Date.now());
    this.failures.set(source, recent);
    if (this.failures.size > 10_000) this.prune();
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
