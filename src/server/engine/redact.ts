/** Configuration keys whose values are secrets (security profile 1/2 password). */
const SECRET_KEYS = new Set(['AuthorizationKey']);

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
        if (typeof o['key'] === 'string' && SECRET_KEYS.has(o['key']) && 'value' in o) return { ...o, value: '[redacted]' };
      }
      return v;
    });
  } catch {
    return text.replace(/AuthorizationKey[\s\S]*/, 'AuthorizationKey [redacted]');
  }
}
