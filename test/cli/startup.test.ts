import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/server.js';

const TRACE = fileURLToPath(new URL('../fixtures/trace-imports.mjs', import.meta.url));

/** The modules a command loads, by URL. */
function loaded(args: string[], env: Record<string, string> = {}): string[] {
  const r = spawnSync(process.execPath, ['--import', TRACE, ...args], {
    env: { ...process.env, DYNAMO_CONFIG_DIR: tempDir(), DYNAMO_DATA_DIR: tempDir(), ...env },
    encoding: 'utf8',
  });
  return r.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice(7));
}

const heavy = (urls: string[]) => urls.filter((u) => /\/node_modules\/(ink|react|react-reconciler|undici|jose|ws|better-sqlite3|ajv)\//.test(u));

test('the tracer sees ink when ink is loaded (so the checks below can fail)', () => {
  expect(heavy(loaded(['--input-type=module', '-e', "await import('ink')"]))).not.toEqual([]);
});

test('--version and --help load neither ink, react, nor any network or database library', () => {
  expect(heavy(loaded([BIN, '--version']))).toEqual([]);
  expect(loaded([BIN, '--version']).filter((u) => u.includes('/dist/'))).toEqual([]);
  expect(heavy(loaded([BIN, '--help']))).toEqual([]);
  expect(heavy(loaded([BIN, 'start', '--help']))).toEqual([]);
});

test('a plain command loads the HTTP client but never ink or react', () => {
  const urls = loaded([BIN, '--api-url', 'http://127.0.0.1:9', 'templates'], { DYNAMO_TOKEN: 'x.e30.x' });
  expect(urls.some((u) => u.endsWith('/dist/api/client.js'))).toBe(true);
  expect(urls.filter((u) => /\/node_modules\/(ink|react)\//.test(u))).toEqual([]);
});

test('shell completion: the script and the ids helper never load ink, react or the database', () => {
  expect(heavy(loaded([BIN, 'completion', 'bash']))).toEqual([]);
  const ids = loaded([BIN, '__complete', 'charge-point']);
  expect(ids.filter((u) => /\/node_modules\/(ink|react|better-sqlite3)\//.test(u))).toEqual([]);
});
