import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../common/password.js';
import type { Authenticate } from '../../ocpp/csms/server.js';
import type { Store } from '../store/store.js';

/**
 * Security profile 1 check of a charge point's Basic-auth password against its stored scrypt
 * hash. Charge points reconnect often (every reboot, every network blip): a password that
 * verified once is remembered as an HMAC under a per-process key, bound to the stored hash, so a
 * reconnect costs microseconds instead of a full scrypt, and a changed password is checked anew.
 *
 * A password offered in an AuthorizationKey is accepted too, and the first connection with it
 * makes it the only one (`onAdopted` says so).
 */
export function chargePointAuthenticator(store: Store, onAdopted: (id: string) => void = () => undefined): Authenticate {
  const key = randomBytes(32);
  const verified = new Map<string, Buffer>();
  let dummy: Promise<string> | null = null;
  return async (id, password) => {
    const record = store.chargePoints.get(id);
    const hash = record?.passwordHash;
    const offered = record?.offeredPasswordHashes ?? [];
    if (!hash && offered.length === 0) {
      // Unknown ids cost as much as known ones, so timing does not tell which ids exist.
      dummy ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(password, await dummy);
      return false;
    }
    if (hash) {
      const mac = createHmac('sha256', key).update(hash).update('\0').update(password).digest();
      const known = verified.get(id);
      if (known && timingSafeEqual(known, mac)) return true;
      if (await verifyPassword(password, hash)) {
        verified.set(id, mac);
        return true;
      }
    }
    for (const candidate of offered) {
      if (!(await verifyPassword(password, candidate))) continue;
      store.write(() => store.chargePoints.setPassword(id, candidate));
      onAdopted(id);
      return true;
    }
    return false;
  };
}
