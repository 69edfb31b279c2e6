import type { ConfigurationKey } from '../store/charge-points.js';

/**
 * Write-only configuration keys: their values are secrets (the security profile 1/2 password)
 * and a charge point does not report them back.
 */
export const WRITE_ONLY_KEYS: ReadonlySet<string> = new Set(['AuthorizationKey']);

/**
 * Frames are logged in full, except secrets: a ChangeConfiguration of AuthorizationKey, or
 * firmware that wrongly returns it in GetConfiguration, must not put a password in the logs.
 */
export function redactFrame(text: string): string {
  if (!text.includes('AuthorizationKey')) return text;
  try {
    return JSON.stringify(JSON.parse(text), (_k, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (typeof o['key'] === 'string' && WRITE_ONLY_KEYS.has(o['key']) && 'value' in o) return { ...o, value: '[redacted]' };
      }
      return v;
    });
  } catch {
    return text.replace(/AuthorizationKey[\s\S]*/, 'AuthorizationKey [redacted]');
  }
}

/** A GetConfiguration answer without the values of write-only keys, for storing. */
export function redactConfiguration(keys: ConfigurationKey[]): ConfigurationKey[] {
  return keys.map((k) => (WRITE_ONLY_KEYS.has(k.key) ? { key: k.key, readonly: k.readonly } : k));
}
