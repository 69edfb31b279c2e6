import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesOutsideSecretHomes, secretLeaks, secretsKeptUnder } from './helpers/secrets.js';

/**
 * Every temporary directory of the run (test servers, CLI config dirs, the hardening scripts'
 * servers, which inherit TMPDIR) goes under one root. At the end every file left in it is read
 * for secrets, and the root is removed when it is clean; when not, it stays for a look.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'dynamo-suite-'));
  process.env.TMPDIR = root;
  return () => {
    const leaks = secretLeaks(filesOutsideSecretHomes(root), secretsKeptUnder(root));
    if (leaks.length === 0) {
      rmSync(root, { recursive: true, force: true });
      return;
    }
    process.exitCode = 1;
    throw new Error(`secrets found in files written by the suite (kept in ${root}):\n  ${leaks.join('\n  ')}`);
  };
}
