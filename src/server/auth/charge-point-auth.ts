import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifyPassword } from '../../common/password.js';
import type { Authenticate, AuthVerdict } from '../../ocpp/csms/server.js';
import type { Store } from '../store/store.js';
import { FairQueue, QueueFull } from './fair-queue.js';

/** What an unauthenticated connection attempt may cost, in numbers (README, Security). */
export interface ChargePointAuthLimits {
  /** scrypt verifications at once (libuv's thread pool has four threads). */
  concurrentVerifications: number;
  /** Verifications waiting for their turn, per source and in all; past either, 503 at once. */
  queuedPerSource: number;
  queuedTotal: number;
  /** Failed verifications one source may cost within the window before it gets 429. */
  failuresPerSource: number;
  failureWindowMs: number;
}

export const DEFAULT_CHARGE_POINT_AUTH_LIMITS: ChargePointAuthLimits = {
  concurrentVerifications: 4,
  // A depot's thousand chargers may come through one NAT address after a power cut.
  queuedPerSource: 1024,
  queuedTotal: 4096,
  failuresPerSource: 30,
  failureWindowMs: 60_000,
};

export interface ChargePointAuthStats {
  /** scrypt verifications actually run. */
  verifications: number;
  refusedUnknown: number;
  refusedWrongPassword: number;
  refusedRateLimited: number;
  refusedBusy: number;
}

export interface ChargePointAuthenticator {
  authenticate: Authenticate;
  readonly stats: ChargePointAuthStats;
}

class OverBudget extends Error {
  constructor(readonly verdict: AuthVerdict) {
    super('over the failure budget');
  }
}

/** The queue every scrypt of the server waits in (charge points and installer logins). */
export function passwordCheckQueue(limits: Partial<ChargePointAuthLimits> = {}): FairQueue {
  const l = { ...DEFAULT_CHARGE_POINT_AUTH_LIMITS, ...limits };
  return new FairQueue(l.concurrentVerifications, l.queuedPerSource, l.queuedTotal);
}

const refusal = (status: 401 | 429 | 503, reason: string, retryAfterS?: number): AuthVerdict => ({
  accepted: false,
  status,
  reason,
  ...(retryAfterS !== undefined && { retryAfterS }),
});

/**
 * Security profile 1 check of a charge point's Basic-auth password against its stored scrypt
 * hash, with the cost of a connection attempt bounded before anyone is authenticated:
 * - an unknown id costs no scrypt at all (ids are on the chargers' labels, not secrets);
 * - a password that verified once is remembered as an HMAC under a per-process key, bound to
 *   the stored hash: a reconnect costs microseconds, and a different password for that same
 *   hash is refused without a scrypt (it cannot verify: the hash has not changed), and without
 *   counting against its source, whose budget is for scrypt checks;
 * - every other check waits its turn in a fair queue (a flood from one address cannot stall
 *   the chargers and the installer login behind it), and a source that failed too often gets
 *   429 without a scrypt.
 *
 * A password offered in an AuthorizationKey is accepted too, and the first connection with it
 * makes it the only one (`onAdopted` says so). A charge point removed while its check runs is
 * refused: the record is read again after the last await.
 */
export function chargePointAuthenticator(
  store: Store,
  onAdopted: (id: string) => void = () => undefined,
  limits: Partial<ChargePointAuthLimits> = {},
  /** Shared with the installer login, so that all the server's scrypt takes turns. */
  queue: FairQueue = passwordCheckQueue(limits),
): ChargePointAuthenticator {
  const l = { ...DEFAULT_CHARGE_POINT_AUTH_LIMITS, ...limits };
  const key = randomBytes(32);
  const verified = new Map<string, { hash: string; mac: Buffer }>();
  const failures = new Map<string, number[]>();
  const stats: ChargePointAuthStats = { verifications: 0, refusedUnknown: 0, refusedWrongPassword: 0, refusedRateLimited: 0, refusedBusy: 0 };

  const recentFailures = (source: string): number[] => {
    const cutoff = Date.now() - l.failureWindowMs;
    const recent = (failures.get(source) ?? []).filter((t) => t > cutoff);
    if (recent.length === 0) failures.delete(source);
    else failures.set(source, recent);
    return recent;
  };
  const overBudget = (source: string): AuthVerdict | null => {
    const recent = recentFailures(source);
    if (recent.length < l.failuresPerSource) return null;
    stats.refusedRateLimited += 1;
    const retryAfterS = Math.max(1, Math.ceil((recent[0]! + l.failureWindowMs - Date.now()) / 1000));
    return refusal(429, `${recent.length} failed password checks from this address within ${l.failureWindowMs / 1000} s`, retryAfterS);
  };
  // Only a failure that cost a scrypt counts against the source: the budget bounds that cost.
  const wrong = (source: string, costly: boolean): AuthVerdict => {
    stats.refusedWrongPassword += 1;
    if (!costly) return refusal(401, 'wrong password');
    const recent = recentFailures(source);
    recent.push(Date.now());
    failures.set(source, recent);
    if (failures.size > 10_000) for (const s of [...failures.keys()]) recentFailures(s);
    return refusal(401, 'wrong password');
  };
  // The budget is checked again when the turn comes: failures may have piled up meanwhile.
  const verify = (password: Buffer, hash: string, source: string): Promise<boolean> =>
    queue.run(source, () => {
      const limited = overBudget(source);
      if (limited) return Promise.reject(new OverBudget(limited));
      stats.verifications += 1;
      return verifyPassword(password, hash);
    });

  const authenticate: Authenticate = async (id, password, source) => {
    const record = store.chargePoints.credentials(id);
    const hash = record?.passwordHash ?? null;
    const offered = record?.offeredPasswordHashes ?? [];
    if (!hash && offered.length === 0) {
      stats.refusedUnknown += 1;
      return refusal(401, record ? 'its access was removed (dynamo local cp add gives it a password again)' : 'unknown charge point');
    }
    const mac = hash ? createHmac('sha256', key).update(hash).update('\0').update(password).digest() : null;
    const known = verified.get(id);
    if (known && mac && known.hash === hash) {
      if (timingSafeEqual(known.mac, mac)) return true;
      // The same hash verified another password: this one cannot be right. Only an offered
      // password (AuthorizationKey) still needs a real check.
      if (offered.length === 0) return wrong(source, false);
    }
    try {
      if (hash && mac && (await verify(password, hash, source))) {
        if (store.chargePoints.credentials(id)?.passwordHash !== hash) return refusal(401, 'its access was removed while it connected');
        verified.set(id, { hash, mac });
        return true;
      }
      for (const candidate of offered) {
        if (!(await verify(password, candidate, source))) continue;
        if (!store.chargePoints.credentials(id)?.offeredPasswordHashes.includes(candidate)) return refusal(401, 'its access was removed while it connected');
        store.write(() => store.chargePoints.setPassword(id, candidate));
        onAdopted(id);
        return true;
      }
    } catch (err) {
      if (err instanceof OverBudget) return err.verdict;
      if (!(err instanceof QueueFull)) throw err;
      stats.refusedBusy += 1;
      return refusal(503, `too many password checks waiting (${queue.size})`, 5);
    }
    return wrong(source, true);
  };
  return { authenticate, stats };
}
