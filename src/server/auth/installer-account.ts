import { join } from 'node:path';
import { generatePassword, hashPassword } from '../../common/password.js';
import { writePrivateFile } from '../../common/private-files.js';
import type { Store } from '../store/store.js';

/** What `dynamo --local` reads to log in to the server on the same machine. */
export interface LocalCredentials {
  email: string;
  password: string;
}

export const CREDENTIALS_FILE = 'installer-credentials.json';
export const FIRST_INSTALLER_EMAIL = 'installer@dynamo.local';

/**
 * On first start there is no account to log in with: create one, and leave its credentials in a
 * 0600 file for the CLI on this machine. Returns them only when they were just created.
 */
export async function ensureFirstInstaller(store: Store, dataDir: string): Promise<LocalCredentials | null> {
  if (store.installers.count() > 0) return null;
  const credentials: LocalCredentials = { email: FIRST_INSTALLER_EMAIL, password: generatePassword(24) };
  store.installers.create(credentials.email, await hashPassword(credentials.password));
  writePrivateFile(join(dataDir, CREDENTIALS_FILE), `${JSON.stringify(credentials, null, 2)}\n`);
  return credentials;
}
