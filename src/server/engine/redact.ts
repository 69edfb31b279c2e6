import type { ConfigurationReportItem } from '../../api/contract.js';
import { AUTHORIZATION_KEY, BASIC_AUTH_PASSWORD } from '../auth/authorization-key.js';

/**
 * Frames are logged in full, except secrets: the charge point's Basic-auth password, set through
 * 1.6 ChangeConfiguration of AuthorizationKey or 2.0.1 SetVariables of
 * SecurityCtrlr.BasicAuthPassword (and reported back by firmware that should not), must not reach
 * the logs.
 */
export function redactFrame(text: string): string {
  if (!text.includes(AUTHORIZATION_KEY) && !text.includes(BASIC_AUTH_PASSWORD)) return text;
  try {
    return JSON.stringify(JSON.parse(text), (_k, v: unknown) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
      const o = v as Record<string, unknown>;
      // 1.6: { key, value }
      if (o['key'] === AUTHORIZATION_KEY && 'value' in o) return { ...o, value: '[redacted]' };
      // 2.0.1: { variable: { name }, attributeValue } in SetVariables and GetVariables, and
      // { variable: { name }, variableAttribute: [{ value }] } in NotifyReport.
      const variable = o['variable'] as { name?: unknown } | undefined;
      if (typeof variable?.name === 'string' && variable.name.toLowerCase() === BASIC_AUTH_PASSWORD.toLowerCase()) {
        const out = { ...o };
        if ('attributeValue' in out) out['attributeValue'] = '[redacted]';
        if (Array.isArray(out['variableAttribute'])) out['variableAttribute'] = (out['variableAttribute'] as object[]).map((a) => ({ ...a, ...('value' in a && { value: '[redacted]' }) }));
        return out;
      }
      return v;
    });
  } catch {
    const at = Math.min(...[AUTHORIZATION_KEY, BASIC_AUTH_PASSWORD].map((k) => text.indexOf(k)).filter((i) => i >= 0));
    return `${text.slice(0, at)}[redacted]`;
  }
}

/** A reported configuration without the values of write-only settings, for storing. */
export function redactConfiguration(items: ConfigurationReportItem[]): ConfigurationReportItem[] {
  return items.map((i) => (i.mutability === 'WriteOnly' || i.name === AUTHORIZATION_KEY || i.variable?.toLowerCase() === BASIC_AUTH_PASSWORD.toLowerCase() ? { ...i, value: null } : i));
}
