/**
 * The PDF is the HTML report printed by a headless Chromium: the same page, so the two never
 * disagree, and no PDF library to keep. Chromium runs with a fresh profile and home in a private
 * temporary folder (no first-run, no network of its own, no updates) that is removed after it,
 * and within a time limit.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError, MissingProgram } from '../errors.js';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'];
const DEBIAN_DEFAULT = '/usr/bin/chromium';
const INSTALL_HINT = 'install Debian\'s chromium package (sudo apt-get install chromium), or point DYNAMO_CHROMIUM at a Chromium or Chrome binary';

/** A printed page takes seconds; a Chromium that hangs must not hold the command. */
const PRINT_TIMEOUT_MS = 60_000;

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** DYNAMO_CHROMIUM when set (and then only it), else Debian's, else the first on PATH. */
export function findChromium(env: NodeJS.ProcessEnv): string {
  const chosen = env['DYNAMO_CHROMIUM'];
  if (chosen) {
    if (executable(chosen)) return chosen;
    throw new MissingProgram(`DYNAMO_CHROMIUM is ${chosen}, which is not an executable file; --format pdf needs a Chromium`, INSTALL_HINT);
  }
  if (executable(DEBIAN_DEFAULT)) return DEBIAN_DEFAULT;
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    for (const name of CANDIDATES) if (executable(join(dir, name))) return join(dir, name);
  }
  throw new MissingProgram(`no Chromium found (looked for ${DEBIAN_DEFAULT}, then ${CANDIDATES.join(', ')} on PATH); --format pdf needs one`, INSTALL_HINT);
}

/**
 * How Chromium is run headless: no sandbox (root, containers), no first run, no network or
 * updates of its own, a fresh profile in `profileDir`.
 */
export function headlessArgs(profileDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-extensions',
    '--no-first-run',
    '--no-default-browser-check',
    `--user-data-dir=${profileDir}`,
  ];
}

/** Prints the HTML to PDF with `chromium`; the PDF's bytes. */
export async function htmlToPdf(chromium: string, html: string, timeoutMs = PRINT_TIMEOUT_MS): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'dynamo-report-'));
  try {
    const page = join(dir, 'report.html');
    const pdf = join(dir, 'report.pdf');
    writeFileSync(page, html, { mode: 0o600 });
    const args = [...headlessArgs(join(dir, 'profile')), '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, pathToFileURL(page).href];
    // Its home too: Chromium writes caches and settings there (dconf, nssdb), none of it ours to keep.
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache') };
    const { code, stderr } = await runBounded(chromium, args, env, timeoutMs);
    let bytes: Buffer | null = null;
    try {
      bytes = readFileSync(pdf);
    } catch {
      bytes = null;
    }
    if (!bytes || bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
      const last = stderr.trim().split('\n').slice(-3).join(' / ');
      throw new CliError(`${chromium} made no PDF (${code === null ? `stopped after ${timeoutMs / 1000} s` : `exit ${code}`})${last ? `: ${last.slice(0, 500)}` : ''}`, 'try --format html and print it from a browser');
    }
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs it in a process group of its own, so that on timeout the whole of Chromium (its zygote
 * and renderers) is ended with it: `code` null means it was.
 */
function runBounded(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += c.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new MissingProgram(`cannot run ${file}: ${err.message}`, INSTALL_HINT));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      // Whatever it left running in its group goes too.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
      resolve({ code: timedOut ? null : code, stderr });
    });
  });
}
