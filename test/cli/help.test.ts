import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildProgram, walkCommands } from '../../src/cli/program.js';
import { BIN, cli } from '../helpers/cli.js';
import { spawnJson, stopProcess } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import type { ChildProcess } from 'node:child_process';

const program = buildProgram();
const commands = walkCommands(program).filter(({ command }) => !(command as unknown as { _hidden: boolean })._hidden);

test('every command has examples and a description; every option a description', () => {
  expect(commands.length).toBeGreaterThan(20);
  for (const { path, command } of commands) {
    let help = '';
    command.configureOutput({ writeOut: (s) => (help += s) });
    command.outputHelp();
    expect(help, path).toMatch(/\nExamples:\n {2}\$ dynamo /);
    expect(command.description(), path).not.toBe('');
    for (const o of command.options) expect(o.description, `${path} ${o.flags}`).not.toBe('');
  }
  for (const o of program.options) expect(o.description, o.flags).not.toBe('');
});

test('no short flag means two things across the program', () => {
  const meaning = new Map<string, string>();
  for (const { command } of [{ command: program }, ...commands]) {
    for (const o of command.options) {
      if (!o.short) continue;
      const before = meaning.get(o.short);
      expect(before === undefined || before === o.long, `${o.short} is ${before} and ${o.long}`).toBe(true);
      meaning.set(o.short, o.long!);
    }
  }
});

test('subcommand help shows the global options; bare dynamo prints the help on stdout and exits 0', async () => {
  const help = await cli(['local', 'cp', 'add', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Global Options:');
  expect(help.stdout).toContain('--data-dir <dir>');
  const bare = await cli([]);
  expect(bare.code).toBe(0);
  expect(bare.stdout).toMatch(/^Usage: dynamo \[options\] \[command\]/);
  expect(bare.stderr).toBe('');
});

let up: ChildProcess;
const dataDir = tempDir();
const configDir = tempDir();
let bin: string;

beforeAll(async () => {
  ({ child: up } = await spawnJson([BIN, 'local', 'up', '--json', '--port', '0', '--ocpp-port', '0'], { DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: configDir }));
  expect((await cli(['local', 'cp', 'add', 'CP-COMPLETE-1'], { env: { DYNAMO_DATA_DIR: dataDir }, configDir })).code).toBe(0);
  // `dynamo` on PATH, as an installed one would be.
  bin = join(tempDir(), 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'dynamo'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'dynamo'), 0o755);
});
afterAll(async () => {
  expect(await stopProcess(up)).toBe(0);
});

/** What bash offers for the words typed so far (the last one being completed), with the script loaded. */
async function complete(line: string[]): Promise<string[]> {
  const script = await cli(['completion', 'bash']);
  expect(script.code).toBe(0);
  const file = join(tempDir(), 'dynamo.bash');
  writeFileSync(file, script.stdout);
  const words = line.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['--norc', '-c', `source ${file}; COMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _dynamo; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    env: { ...process.env, PATH: `${bin}:${process.env['PATH']}`, DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: configDir },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash completion: commands, subcommands, options, choices, and charge point and template ids from the local server', async () => {
  expect(await complete(['dynamo', 'lo'])).toEqual(['local', 'login', 'logout', 'logs']);
  expect(await complete(['dynamo', 'local', 'cp', ''])).toEqual(['add', 'list', 'remove']);
  expect(await complete(['dynamo', 'logs', 'CP-1', '--min'])).toEqual(['--min-level']);
  expect(await complete(['dynamo', 'logs', 'CP-1', '--min-level', ''])).toEqual(['debug', 'error', 'info', 'warn']);
  expect(await complete(['dynamo', 'completion', ''])).toEqual(['bash', 'fish', 'zsh']);
  expect(await complete(['dynamo', '--local', 'start', 'CP-C'])).toEqual(['CP-COMPLETE-1']);
  expect(await complete(['dynamo', 'apply-template', 'CP-COMPLETE-1', 'tpl_'])).toEqual(['tpl_dc_rapid_50kw', 'tpl_standard_ac_22kw']);
  // The hidden helper is not offered.
  expect(await complete(['dynamo', '__'])).toEqual([]);
});

test('__complete without a local server prints nothing and exits 0; zsh and fish scripts are generated too', async () => {
  const none = await cli(['__complete', 'charge-point'], { env: { DYNAMO_DATA_DIR: tempDir() } });
  expect(none).toMatchObject({ code: 0, stdout: '', stderr: '' });
  const zsh = await cli(['completion', 'zsh']);
  expect(zsh.stdout).toMatch(/^#compdef dynamo\n/);
  const fish = await cli(['completion', 'fish']);
  expect(fish.stdout).toContain("complete -c dynamo -n '__fish_use_subcommand' -a 'start'");
  expect(fish.stdout).toContain('(dynamo __complete charge-point 2>/dev/null)');
  expect((await cli(['completion', 'tcsh'])).code).toBe(2);
});
