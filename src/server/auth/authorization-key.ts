/**
 * The configuration key that carries a charge point's Basic-auth password (OCPP 1.6 security
 * whitepaper, profiles 1 and 2). Setting it changes the password the charge point connects with.
 */
export const AUTHORIZATION_KEY = 'AuthorizationKey';

/**
 * Its OCPP 2.0.1 twin, SecurityCtrlr.BasicAuthPassword (A01): a WriteOnly string variable, the
 * password itself (no hex).
 */
export const BASIC_AUTH_PASSWORD = 'BasicAuthPassword';
export const SECURITY_CTRLR = 'SecurityCtrlr';

/**
 * Whether a 1.6 key or a 2.0.1 variable name is one of the password settings. Both versions
 * compare these names without regard to case (1.6 CiString, 2.0.1 device model names), so one
 * spelled `authorizationkey` is the password too: one predicate for validation, redaction and the
 * engine.
 */
export const isPasswordName = (name: unknown): boolean =>
  typeof name === 'string' && (name.toLowerCase() === AUTHORIZATION_KEY.toLowerCase() || name.toLowerCase() === BASIC_AUTH_PASSWORD.toLowerCase());

/**
 * The passwords a charge point may connect with after AuthorizationKey = `value`. The
 * whitepaper sends the password hex-encoded (16-20 bytes as up to 40 hex digits) and the
 * charge point presents the bytes; some firmware presents the text as it came. Both are
 * offered, and the first one the charge point uses becomes its password.
 */
export function passwordsFor(value: string): Uint8Array[] {
  const text = Buffer.from(value, 'utf8');
  return /^(?:[0-9a-fA-F]{2})+$/.test(value) ? [Buffer.from(value, 'hex'), text] : [text];
}
