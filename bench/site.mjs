// Site: 200 simulated charge points (half OCPP 1.6J, half 2.0.1, in their own processes)
// commissioned with one `dynamo --local start --all-connected --wait --json`, beside one charge
// point commissioned with `dynamo --local start <cp> --wait --json` in the same run, each on a
// fresh local server: wall time, the server's peak RSS and the CLI's, and their ratios.
import { addTemplate, fleetId, fleetIds, measuredCli, peakRssMb, registerChargePoints, report, saveResult, shortTemplate, startFleets, startLocalUp, stop, tempDir } from './lib.mjs';

const COUNT = Number(process.env.BENCH_SITE_CHARGE_POINTS ?? 200);
// All at once by default, as a benchmark of the server and the CLI; on a real site the default of 8 protects its supply.
const CONCURRENCY = Number(process.env.BENCH_SITE_CONCURRENCY ?? COUNT);
const PER_PROCESS = 50;
const PASSWORD = 'site-benchmark-password';

/** One commissioning of `count` charge points (the first half 1.6, the rest 2.0.1) with `args`. */
async function commission(count, args) {
  const dataDir = tempDir();
  addTemplate(dataDir, shortTemplate());
  await registerChargePoints(dataDir, fleetIds(count), PASSWORD);
  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0'], {}, { stderr: 'inherit' });
  const half = Math.ceil(count / 2);
  const fleets = [...startFleets(server.ocppUrl, PASSWORD, half, PER_PROCESS, '1.6'), ...(count > half ? startFleets(server.ocppUrl, PASSWORD, count - half, PER_PROCESS, '2.0.1', half + 1) : [])];
  await Promise.all(fleets.map((f) => f.first));
  const env = { DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: tempDir() };
  const r = await measuredCli(['--local', 'start', ...args, '--template', 'tpl_bench_scale', '--wait', '--json'], env);
  const serverRss = peakRssMb(server.child.pid);
  for (const f of fleets) await stop(f.child);
  await stop(server.child);
  const docs = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const last = docs.at(-1);
  const passed = last?.kind === 'summary' ? last.passed : last?.status === 'completed' && last.result === 'passed' ? 1 : 0;
  if (r.code !== 0) console.log(`  exit ${r.code}: ${JSON.stringify(last).slice(0, 400)} ${r.stderr.slice(0, 400)}`);
  return { wall_s: r.seconds, exit_code: r.code, passed, server_peak_rss_mb: serverRss, cli_peak_rss_mb: r.rss_mb };
}

export async function run() {
  const single = await commission(1, [fleetId(1)]);
  const site = await commission(COUNT, ['--all-connected', '--concurrency', String(CONCURRENCY)]);
  const ratio = (k) => site[k] / single[k];
  console.log(`Site: ${COUNT} charge points (${Math.ceil(COUNT / 2)} OCPP 1.6, ${Math.floor(COUNT / 2)} OCPP 2.0.1), one start --all-connected --wait --json, at most ${CONCURRENCY} at once`);
  report('single session: wall time', single.wall_s, 's');
  report('site: wall time', site.wall_s, 's', single.wall_s, 'single');
  report('site: sessions passed', site.passed, `of ${COUNT}`, undefined, undefined, { text: 'all', met: (v) => v === COUNT });
  report('site: server peak RSS', site.server_peak_rss_mb, 'MB', single.server_peak_rss_mb, 'single');
  report('site: CLI peak RSS', site.cli_peak_rss_mb, 'MB', single.cli_peak_rss_mb, 'single', { text: '< 200 MB', met: (v) => v < 200 });
  return saveResult('site', {
    charge_points: COUNT,
    concurrency: CONCURRENCY,
    single,
    site,
    ratios: { wall: ratio('wall_s'), server_peak_rss: ratio('server_peak_rss_mb'), cli_peak_rss: ratio('cli_peak_rss_mb') },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
