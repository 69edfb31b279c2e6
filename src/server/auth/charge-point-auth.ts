import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../common/password.js';
import type { Authenticate } from '../../ocpp/csms/server.js';
import type { Store } from '../store/store.js';

/**
 * Security profile 1 check of a charge point's Basic-auth password against its stored scrypt
 * hash. Charge points reconnect often (every reboot, every network blip): a password that
 * verified once is remembered as an HMAC under a per-process key, bound to the stored hash, so a
 * reconnect costs microseconds instead of a full scrypt, and a changed password is checked anew.
 */
export function chargePointAuthenticator(store: Store): Authenticate {
  const key = randomBytes(32);
  const verified = new Map<string, Buffer>();
  let dummy: Promise<string> | null = null;
  return async (id, password) => {
    const hash = store.chargePoints.get(id)?.passwordHash;
    if (!hash) {
      // Unknown ids cost as much as known ones, so timing does not tell which ids exist.
      dummy ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(password, await dummy);
      return false;
    }
    const mac = createHmac('sha256', key).update(hash).update('\0').update(password).digest();
    const known = verified.get(id);
    if (known && timingSafeEqual(known, mac)) return true;
    const ok = await verifyPassword(password, hash);
    if (ok) verified.set(id, mac);
    return ok;
  };
}
