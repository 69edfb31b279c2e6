import { randomBytes } from 'node:crypto';

/**
 * An id such as `comm_3f9a0c1d5e7b2a46`. 64 random bits: sessions and issues from many offline
 * sites meet in one hosted database, so ids must not collide across sites.
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}
