// Start-up: median wall time of dynamo --version, --help and status --json (against a running
// local server), beside `node -e 0` measured in the same run, interleaved so noise hits all alike.
import { spawnSync } from 'node:child_process';
import { BIN, median, report, saveResult, startJsonProcess, startLocalUp, stop, tempDir } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 25);

function time(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function run() {
  const dataDir = tempDir();
  const configDir = tempDir();
  const env = { ...process.env, DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: configDir };
  const server = await startLocalUp(dataDir, ['--open', '--port', '0', '--ocpp-port', '0'], { DYNAMO_CONFIG_DIR: configDir }, { stderr: 'inherit' });
  // The charge point runs in its own process: spawnSync below blocks this one.
  const sim = startJsonProcess([BIN, 'sim', '--id', 'CP-BENCH', '--json'], env);
  await sim.first;
  await new Promise((r) => setTimeout(r, 500));
  const started = spawnSync(process.execPath, [BIN, '--local', 'start', 'CP-BENCH', '--wait', '--skip-test-transaction'], { env });
  if (started.status !== 0) throw new Error(`the session did not pass: ${started.stdout}${started.stderr}`);

  const commands = {
    'node -e 0': ['-e', '0'],
    'dynamo --version': [BIN, '--version'],
    'dynamo --help': [BIN, '--help'],
    'dynamo status <cp> --json': [BIN, '--local', 'status', 'CP-BENCH', '--json'],
  };
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i += 1) for (const [name, args] of Object.entries(commands)) samples[name].push(time(args, env));
  await stop(sim.child);
  await stop(server.child);

  const base = median(samples['node -e 0']);
  const figures = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { median_ms: median(v), ratio: median(v) / base }]));
  console.log(`Start-up (median of ${RUNS} runs each)`);
  report('node -e 0 (baseline)', base, 'ms');
  report('dynamo --version', median(samples['dynamo --version']), 'ms', base, 'node -e 0', { text: '≤ 1.5×', met: (_v, r) => r <= 1.5 });
  report('dynamo --help', median(samples['dynamo --help']), 'ms', base, 'node -e 0', { text: '≤ 1.5×', met: (_v, r) => r <= 1.5 });
  report('dynamo status <cp> --json', median(samples['dynamo status <cp> --json']), 'ms', base, 'node -e 0', { text: '≤ 2.5×', met: (_v, r) => r <= 2.5 });
  return saveResult('startup', { runs: RUNS, figures });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
