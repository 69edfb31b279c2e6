import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../common/private-files.js';
import { configDir } from './paths.js';

export interface StoredLogin {
  token: string;
  /** Epoch seconds, from the token's exp claim when it has one. */
  expiresAt: number | null;
  installerId: string;
  email: string | null;
}

type Tokens = Record<string, StoredLogin>;

const file = (): string => join(configDir(), 'tokens.json');

function read(): Tokens {
  try {
    return JSON.parse(readFileSync(file(), 'utf8')) as Tokens;
  } catch {
    return {};
  }
}

/** Tokens per API URL, in a 0600 file in the user's config directory. */
export const tokenStore = {
  get(apiUrl: string): StoredLogin | undefined {
    return read()[apiUrl];
  },
  /** Keeps `login` under `apiUrl`, and drops the logins `supersedes` names (for servers that are no more). */
  set(apiUrl: string, login: StoredLogin, supersedes: (key: string) => boolean = () => false): void {
    const all = read();
    for (const key of Object.keys(all)) if (supersedes(key)) delete all[key];
    all[apiUrl] = login;
    writePrivateFile(file(), `${JSON.stringify(all, null, 2)}\n`);
  },
  remove(apiUrl: string): boolean {
    const all = read();
    if (!(apiUrl in all)) return false;
    delete all[apiUrl];
    writePrivateFile(file(), `${JSON.stringify(all, null, 2)}\n`);
    return true;
  },
};

/** The claims of a JWT, read without verifying it (the server verifies; we only look at exp). */
export function readClaims(token: string): { exp?: number; sub?: string; scope?: unknown } {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: number; sub?: string };
  } catch {
    return {};
  }
}
