// The commissioning report of a site: BENCH_REPORT_CHARGE_POINTS (50) simulated charge points, half
// OCPP 1.6 and half 2.0.1, each commissioned to the end against a local server in its own process;
// then `dynamo --local report --site` as an installer runs it, in each format. The baseline, in the
// same run, is fetching the same answers alone (the report's own fetching code, in this process,
// no rendering, no CLI start-up), so the ratio says what the report adds to the API's time.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { addTemplate, BIN, fleetIds, loggedInClient, median, registerChargePoints, report, ROOT, saveResult, startJsonProcess, startLocalUp, stop, tempDir, timed } from './lib.mjs';

const COUNT = Number(process.env.BENCH_REPORT_CHARGE_POINTS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PASSWORD = 'report-benchmark-password';

function shortTemplate() {
  const ac = JSON.parse(readFileSync(join(ROOT, 'templates', 'tpl_standard_ac_22kw.json'), 'utf8'));
  return { ...ac, template_id: 'tpl_bench_report', name: 'Benchmark: AC, short test transaction', test_transaction: { ...ac.test_transaction, duration_seconds: 2 } };
}

export async function run() {
  const dataDir = tempDir();
  const configDir = tempDir();
  addTemplate(dataDir, shortTemplate());
  const ids = fleetIds(COUNT);
  await registerChargePoints(dataDir, ids, PASSWORD);
  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0'], {}, { stderr: 'inherit' });
  const half = Math.ceil(COUNT / 2);
  const fleets = [
    startJsonProcess([join(ROOT, 'bench', 'sim-fleet.mjs'), server.ocppUrl, PASSWORD, '1', String(half), '1.6']),
    ...(COUNT > half ? [startJsonProcess([join(ROOT, 'bench', 'sim-fleet.mjs'), server.ocppUrl, PASSWORD, String(half + 1), String(COUNT - half), '2.0.1'])] : []),
  ];
  const client = await loggedInClient(server.apiUrl, dataDir, { timeoutMs: 120_000 });
  try {
    await Promise.all(fleets.map((f) => f.first));
    await Promise.all(ids.map((id) => client.start(id, { template_id: 'tpl_bench_report' })));
    const t0 = Date.now();
    for (;;) {
      const statuses = await Promise.all(ids.map((id) => client.status(id)));
      if (statuses.every((s) => s.status !== 'running' && s.status !== 'paused')) break;
      if (Date.now() - t0 > 300_000) throw new Error('sessions still running after 5 minutes');
      await new Promise((r) => setTimeout(r, 500));
    }

    const { collect } = await import('../dist/cli/report/collect.js');
    const fetchMs = [];
    for (let i = 0; i < RUNS; i += 1) fetchMs.push(await timed(() => collect(client, ids, null)));

    const env = { ...process.env, DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: configDir };
    const cliReport = (format) => {
      const out = join(dataDir, `site.${format}`);
      const t = performance.now();
      const r = spawnSync(process.execPath, [BIN, '--local', 'report', '--site', '--format', format, '--out', out], { env, encoding: 'utf8', timeout: 120_000 });
      const ms = performance.now() - t;
      if (r.status !== 0) throw new Error(`report --format ${format} exited ${r.status}: ${r.stderr}`);
      return { ms, bytes: statSync(out).size };
    };
    // Once first: the CLI logs in to the local server and keeps the token, as on a laptop.
    cliReport('json');
    const figures = {};
    for (const format of ['json', 'md', 'html']) {
      const runs = Array.from({ length: RUNS }, () => cliReport(format));
      figures[format] = { median_ms: median(runs.map((r) => r.ms)), bytes: runs[0].bytes };
    }
    const pdf = cliReport('pdf');
    figures.pdf = { median_ms: pdf.ms, bytes: pdf.bytes, runs: 1 };
    const baseline = median(fetchMs);
    const passed = JSON.parse(readFileSync(join(dataDir, 'site.json'), 'utf8')).summary.passed;

    console.log(`Report: a site of ${COUNT} charge points (${half} OCPP 1.6, ${COUNT - half} OCPP 2.0.1), ${passed} passed; median of ${RUNS}`);
    report('fetching the answers alone (baseline)', baseline, 'ms');
    for (const format of ['json', 'md', 'html']) {
      report(`dynamo --local report --site --format ${format}`, figures[format].median_ms, 'ms', baseline, 'fetch alone', format === 'html' ? { text: '< 2000 ms', met: (v) => v < 2000 } : undefined);
    }
    report('dynamo --local report --site --format pdf (1 run)', figures.pdf.median_ms, 'ms', figures.html.median_ms, 'html');
    return saveResult('report', { charge_points: COUNT, passed, runs: RUNS, fetch_alone_ms: baseline, formats: figures, ratio_html_to_fetch: figures.html.median_ms / baseline, ratio_pdf_to_html: figures.pdf.median_ms / figures.html.median_ms });
  } finally {
    await client.close();
    for (const f of fleets) await stop(f.child);
    await stop(server.child);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
