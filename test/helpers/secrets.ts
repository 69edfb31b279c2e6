import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files whose job is to hold a secret: an installer's password, a signing key, CLI tokens, a TLS key. */
const SECRET_HOMES = new Set(['installer-credentials.json', 'jwt-signing-key.json', 'tokens.json', 'site-key.pem']);

/** Shapes a leaked secret takes even when we do not know its value. */
const SECRET_SHAPES: [string, RegExp][] = [
  ['a JWT', /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/],
  ['a Basic credential', /Basic [A-Za-z0-9+/]{8,}={0,2}/],
];

/** Every byte of every file under dir but the secrets' own homes, as text keyed by path. */
export function filesOutsideSecretHomes(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    // Templates are the operator's own files (a template may set AuthorizationKey on purpose).
    if (!entry.isFile() || SECRET_HOMES.has(entry.name) || entry.parentPath.split('/').includes('templates')) continue;
    const path = join(entry.parentPath, entry.name);
    files[path] = readFileSync(path).toString('latin1');
  }
  return files;
}

/** The installer passwords and CLI tokens kept in their homes under dir, to search for everywhere else. */
export function secretsKeptUnder(dir: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  if (!existsSync(dir)) return secrets;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    try {
      if (entry.name === 'installer-credentials.json') {
        secrets[`installer password of ${path}`] = (JSON.parse(readFileSync(path, 'utf8')) as { password: string }).password;
      } else if (entry.name === 'tokens.json') {
        for (const [url, t] of Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, { token: string }>)) {
          secrets[`token for ${url} in ${path}`] = t.token;
        }
      }
    } catch {
      // A file a killed process left half-written holds nothing to look for.
    }
  }
  return secrets;
}

/** Each place where one of the secrets, or anything shaped like a token or Basic credential, appears. */
export function secretLeaks(places: Record<string, string>, secrets: Record<string, string | undefined>): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(places)) {
    for (const [what, secret] of Object.entries(secrets)) if (secret && text.includes(secret)) found.push(`${what} in ${where}`);
    for (const [what, shape] of SECRET_SHAPES) {
      const match = shape.exec(text);
      if (match) found.push(`${what} in ${where}: ${match[0].slice(0, 24)}…`);
    }
  }
  return found;
}
