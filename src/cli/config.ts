import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../common/private-files.js';
import { configDir } from './paths.js';

export interface CliConfig {
  /** The hosted API to talk to when no --api-url, --local or DYNAMO_API_URL says otherwise. */
  api_url?: string;
}

export const DEFAULT_API_URL = 'https://api.dynamo-csms.com';

const file = (): string => join(configDir(), 'config.json');

export function readConfig(): CliConfig {
  try {
    return JSON.parse(readFileSync(file(), 'utf8')) as CliConfig;
  } catch {
    return {};
  }
}

export function writeConfig(config: CliConfig): void {
  writePrivateFile(file(), `${JSON.stringify(config, null, 2)}\n`);
}
