import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';

const paths = envPaths('dynamo', { suffix: '' });

/** Where the CLI keeps its config and tokens; DYNAMO_CONFIG_DIR overrides (tests, CI). */
export function configDir(): string {
  return process.env['DYNAMO_CONFIG_DIR'] || paths.config;
}

/** Where the local server keeps its data; DYNAMO_DATA_DIR or --data-dir override. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const given = env['DYNAMO_DATA_DIR'];
  return given ? resolve(given) : builtInDataDir();
}

/** The data directory when neither --data-dir nor DYNAMO_DATA_DIR names one. */
export function builtInDataDir(): string {
  return join(paths.data, 'local');
}

/** A path for display, with the home directory as ~. */
export function tildify(path: string): string {
  const home = homedir();
  return path.startsWith(home) ? `~${path.slice(home.length)}` : path;
}
