import type { ConfigurationReportItem } from '../../api/contract.js';
import { AUTHORIZATION_KEY, BASIC_AUTH_PASSWORD, isPasswordName } from '../auth/authorization-key.js';

const NAMES = [AUTHORIZATION_KEY, BASIC_AUTH_PASSWORD].map((n) => n.toLowerCase());

/**
 * Frames are logged in full, except secrets: the charge point's Basic-auth password, set through
 * 1.6 ChangeConfiguration of AuthorizationKey or 2.0.1 SetVariables of
 * SecurityCtrlr.BasicAuthPassword (and reported back by firmware that should not), must not reach
 * the logs.
 */
export function redactFrame(text: string): string {
  const lower = text.toLowerCase();
  if (!NAMES.some((n) => lower.includes(n))) return text;
  try {
    return JSON.stringify(JSON.parse(text), (_k, v: unknown) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
      const o = v as Record<string, unknown>;
      // 1.6: { key, value }
      if (isPasswordName(o['key']) && 'value' in o) return { ...o, value: '[redacted]' };
      // 2.0.1: { variable: { name }, attributeValue } in SetVariables and GetVariables, and
      // { variable: { name }, variableAttribute: [{ value }] } in NotifyReport.
      const variable = o['variable'] as { name?: unknown } | undefined;
      if (isPasswordName(variable?.name)) {
        const out = { ...o };
        if ('attributeValue' in out) out['attributeValue'] = '[redacted]';
        if (Array.isArray(out['variableAttribute'])) out['variableAttribute'] = (out['variableAttribute'] as object[]).map((a) => ({ ...a, ...('value' in a && { value: '[redacted]' }) }));
        return out;
      }
      return v;
    });
  } catch {
    const at = Math.min(...NAMES.map((k) => lower.indexOf(k)).filter((i) => i >= 0));
    return `${text.slice(0, at)}[redacted]`;
  }
}

/** A reported configuration without the values of write-only settings, for storing. */
export function redactConfiguration(items: ConfigurationReportItem[]): ConfigurationReportItem[] {
  return items.map((i) => (i.mutability === 'WriteOnly' || isPasswordName(i.name) || isPasswordName(i.variable) ? { ...i, value: null } : i));
}
