import { AUTHORIZATION_KEY } from '../auth/authorization-key.js';
import type { ConfigurationKey } from '../store/charge-points.js';

/**
 * Write-only configuration keys: their values are secrets (the security profile 1/2 password)
 * and a charge point does not report them back.
 */
export const WRITE_ONLY_KEYS: ReadonlySet<string> = new Set([AUTHORIZATION_KEY]);

/**
 * Frames are logged in full, except secrets: a ChangeConfiguration of AuthorizationKey, or
 * firmware that wrongly returns it in GetConfiguration, must not put a password in the logs.
 */
export function redactFrame(text: string): string {
  if (!text.includes(AUTHORIZATION_KEY)) return text;
  try {
    return JSON.stringify(JSON.parse(text), (_k, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (typeof o['key'] === 'string' && WRITE_ONLY_KEYS.has(o['key']) && 'value' in o) return { ...o, value: '[redacted]' };
      }
      return v;
    });
  } catch {
    return `${text.slice(0, text.indexOf(AUTHORIZATION_KEY))}${AUTHORIZATION_KEY} [redacted]`;
  }
}

/** A GetConfiguration answer without the values of write-only keys, for storing. */
export function redactConfiguration(keys: ConfigurationKey[]): ConfigurationKey[] {
  return keys.map((k) => (WRITE_ONLY_KEYS.has(k.key) ? { key: k.key, readonly: k.readonly } : k));
}
