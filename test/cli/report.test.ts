import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StatusResponse } from '../../src/api/contract.js';
import { readFacts, settingLine } from '../../src/api/session-facts.js';
import type { Report } from '../../src/cli/report/model.js';
import { findChromium, headlessArgs } from '../../src/cli/report/pdf.js';
import { cli } from '../helpers/cli.js';
import { OCPP_VERSIONS, startServer, tempDir, waitForEnd, type TestServer } from '../helpers/server.js';

/**
 * `dynamo report` against a real server with real simulated charge points of both versions whose
 * sessions ran to the end; the HTML is rendered by a real headless Chromium and read back, and
 * the PDF read back with pdftotext, and the figures in them checked against the session's.
 */

const IDS = {
  '1.6': { good: 'CP-REP-1', bad: 'CP-REP-BAD' },
  '2.0.1': { good: 'CS-REP-1', bad: 'CS-REP-BAD' },
} as const;
/** A charger whose strings are markup and Markdown (within what OCPP lets a BootNotification carry). */
const HOSTILE = { id: 'CP-XSS', model: '<b>bold</b>&amp;', serial: '<script>alert(1)</script>', firmware: 'fw|1.0 `rm -rf` *x*' };
const HOSTILE_ISSUE = 'Wiring <img src=x onerror="document.body.dataset.xss=1"><script>document.body.dataset.xss=2</script> looks | damaged';

let t: TestServer;
let installerId: string;
const statuses = new Map<string, StatusResponse>();
let run: (args: string[], env?: Record<string, string>) => ReturnType<typeof cli>;
let dir: string;

beforeAll(async () => {
  t = await startServer();
  installerId = JSON.parse(Buffer.from(t.token.split('.')[1]!, 'base64url').toString()).sub;
  for (const ocpp of OCPP_VERSIONS) {
    await t.station(IDS[ocpp].good, ocpp, { vendor: 'ABB', firmwareVersion: `3.8.2-${ocpp}`, serial: `SN-${ocpp}` });
    await t.station(IDS[ocpp].bad, ocpp, { faults: { refuseRemoteStart: true } });
  }
  await t.station(HOSTILE.id, '1.6', { model: HOSTILE.model, serial: HOSTILE.serial, firmwareVersion: HOSTILE.firmware });
  const ids = [...OCPP_VERSIONS.flatMap((v) => [IDS[v].good, IDS[v].bad]), HOSTILE.id];
  for (const id of ids) await t.client.start(id);
  for (const id of ids) statuses.set(id, await waitForEnd(t.client, id, 60_000));
  await t.client.reportIssue(HOSTILE.id, { category: 'hardware_defect', severity: 'high', description: HOSTILE_ISSUE, step: 'connectivity' });
  await t.addChargePoint('CP-NEVER');
  run = (args, env = {}) => cli(['--api-url', t.server.apiUrl, 'report', ...args], { env: { DYNAMO_TOKEN: t.token, ...env }, timeoutMs: 90_000 });
  dir = tempDir();
}, 120_000);
afterAll(async () => t.stop());

const decode = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
/** The page as Chromium built it, after running whatever it would run. */
const dumpDom = (file: string): string => {
  const home = tempDir();
  // The Chromium the CLI would use, run as it runs it (found when needed, so that the tests without it run without it).
  return execFileSync(findChromium(process.env), [...headlessArgs(join(home, 'profile')), '--dump-dom', pathToFileURL(file).href], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 60_000,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') },
  });
};
const textOf = (dom: string): string => decode(dom.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
const pdfText = (file: string, page?: number): string =>
  execFileSync('pdftotext', [...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
const pdfPages = (file: string): number => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);

async function jsonReport(...ids: string[]): Promise<Report> {
  const r = await run([...ids, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

/** What the session's own status says the test transaction delivered: `(61 Wh, …)`. */
const energyOf = (s: StatusResponse): number => Number(/\((\d+) Wh, /.exec(s.steps.find((x) => x.name === 'test_transaction')!.detail!)![1]);

describe.each(OCPP_VERSIONS)('OCPP %s', (ocpp) => {
  const { good, bad } = IDS[ocpp];

  test('JSON: the session, steps, settings, transaction and identity as the API has them', async () => {
    const status = statuses.get(good)!;
    expect(status.result).toBe('passed');
    const report = await jsonReport(good);
    expect(report).toMatchObject({ schema_version: 1, server: { api_url: t.server.apiUrl, kind: 'hosted', version: expect.any(String) }, summary: { charge_points: 1, passed: 1, sign_off: 1 } });
    const cp = report.charge_points[0]!;
    expect(cp.identity).toEqual({ vendor: 'ABB', model: 'SimCharger AC22', serial_number: `SN-${ocpp}`, firmware_version: `3.8.2-${ocpp}`, ocpp_version: ocpp, collected_at: expect.any(String) });
    expect(cp.session).toMatchObject({ session_id: status.session_id, status: 'completed', result: 'passed', started_at: status.started_at, completed_at: status.completed_at, installer_id: installerId, skip_test_transaction: false });
    expect(cp.steps).toEqual(status.steps.map((s) => ({ name: s.name, status: s.status, duration_ms: s.duration_ms ?? null, detail: s.detail ?? null, warnings: s.warnings ?? [] })));
    expect(cp.verdict).toMatchObject({ status: 'passed', sign_off: true });

    // Each setting with its outcome; the counts are the configuration step's.
    const configuration = status.steps.find((s) => s.name === 'configuration')!.detail!;
    const settings = cp.template.settings!;
    expect(cp.template.template_id).toBe('tpl_standard_ac_22kw');
    expect(configuration).toContain(`${cp.template.applied === settings.length ? 'All ' : `${cp.template.applied} of `}${settings.length}`);
    const interval = settings.find((s) => s.name === (ocpp === '1.6' ? 'MeterValueSampleInterval' : 'SampledDataCtrlr.TxUpdatedInterval'))!;
    expect(interval).toEqual({ name: interval.name, sent: '60', outcome: 'applied', reason: null, read_back: '60' });
    if (ocpp === '1.6') {
      expect(settings.find((s) => s.name === 'ReserveConnectorZeroSupported')).toMatchObject({ outcome: 'rejected', reason: 'not supported by firmware' });
      expect(cp.warnings).toEqual([{ step: 'configuration', message: expect.stringContaining('ReserveConnectorZeroSupported not applied') }]);
    }

    const tx = cp.test_transaction!;
    expect(tx).toMatchObject({ status: 'passed', energy_wh: energyOf(status), charging_s: 1, transaction_id: expect.any(String) });
    expect(tx.energy_kwh).toBe(Number((energyOf(status) / 1000).toFixed(3)));
    expect(tx.meter_stop_wh! - tx.meter_start_wh!).toBe(tx.energy_wh);
    expect(tx.detail).toContain(`Test transaction ${tx.transaction_id} completed`);
  });

  test('a failed session: not signed off, and the reason is the failed step', async () => {
    const status = statuses.get(bad)!;
    expect(status.result).toBe('failed');
    const cp = (await jsonReport(bad)).charge_points[0]!;
    const failed = status.steps.find((s) => s.status === 'failed')!;
    expect(cp.verdict).toMatchObject({ status: 'not_passed', sign_off: false });
    expect(cp.verdict.reasons).toContain(`Step ${failed.name} failed: ${failed.detail}.`);
    expect(cp.test_transaction).toMatchObject({ status: 'failed', energy_wh: null });
  });

  test('HTML rendered by Chromium and its PDF carry the same figures', async () => {
    const status = statuses.get(good)!;
    const html = join(dir, `${good}.html`);
    const r = await run([good, '--format', 'html', '--out', html]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(html).mode & 0o777).toBe(0o600);
    const pdf = join(dir, `${good}.pdf`);
    expect((await run([good, '--format', 'pdf', '--out', pdf])).code).toBe(0);
    const energy = energyOf(status);
    for (const text of [textOf(dumpDom(html)), pdfText(pdf)]) {
      expect(text).toContain(good);
      expect(text).toContain(`3.8.2-${ocpp}`);
      expect(text).toContain(`${Number((energy / 1000).toFixed(3))} kWh (${energy} Wh)`);
      expect(text).toContain('SIGN-OFF: YES');
      expect(text).toContain(status.session_id);
      for (const step of status.steps) expect(text).toMatch(new RegExp(`${step.name}\\s+${step.status}`));
    }
    expect(pdfText(pdf, 1)).toContain(`Dynamo commissioning report · ${t.server.apiUrl}`);
  });
});

test('a site of charge points: one PDF page per charge point at least, a header on every page', async () => {
  const ids = [IDS['1.6'].good, IDS['2.0.1'].good, HOSTILE.id];
  const pdf = join(dir, 'site.pdf');
  const scratch = tempDir();
  const r = await run([...ids, '--format', 'pdf', '--out', pdf], { TMPDIR: scratch });
  expect(r.code, r.stderr).toBe(0);
  // Chromium's page and profile went with it.
  expect(readdirSync(scratch)).toEqual([]);
  expect(r.stdout).toContain(`Report of 3 charge points (2 of 3 charge points ready for sign-off) written to ${pdf}`);
  const pages = pdfPages(pdf);
  expect(pages).toBeGreaterThanOrEqual(ids.length + 1);
  const firstPageOf = new Map<string, number>();
  for (let page = 1; page <= pages; page += 1) {
    const text = pdfText(pdf, page);
    expect(text, `page ${page}`).toContain('Dynamo commissioning report');
    expect(text, `page ${page}`).toContain(`Page ${page} of ${pages}`);
    for (const id of ids) if (page > 1 && !firstPageOf.has(id) && text.includes(`${id} SIGN-OFF`)) firstPageOf.set(id, page);
  }
  // Each charge point begins a page of its own, in order.
  expect([...firstPageOf.keys()]).toEqual(ids);
  expect(new Set(firstPageOf.values()).size).toBe(ids.length);
});

test('hostile charger and issue text: escaped in HTML (nothing runs), PDF shows it as text, Markdown escapes it', async () => {
  const html = join(dir, 'xss.html');
  expect((await run([HOSTILE.id, '--format', 'html', '--out', html])).code).toBe(0);
  const source = readFileSync(html, 'utf8');
  expect(source).not.toMatch(/<script|<img|<b>/i);
  const dom = dumpDom(html);
  // Had any of it run, the body would carry data-xss; had it been markup, the DOM would hold the elements.
  expect(dom).not.toContain('data-xss');
  expect(dom).not.toMatch(/<(script|img|b)[\s>]/i);
  const text = textOf(dom);
  for (const s of [HOSTILE.serial, HOSTILE.model, HOSTILE.firmware, HOSTILE_ISSUE]) expect(text).toContain(s);

  const pdf = join(dir, 'xss.pdf');
  expect((await run([HOSTILE.id, '--format', 'pdf', '--out', pdf])).code).toBe(0);
  const printed = pdfText(pdf);
  expect(printed).toContain(HOSTILE.serial);
  expect(printed).toContain('<img src=x onerror=');

  const md = await run([HOSTILE.id, '--format', 'md']);
  expect(md.code).toBe(0);
  expect(md.stdout).toContain('fw\\|1.0 \\`rm -rf\\` \\*x\\*');
  expect(md.stdout).toContain('\\<script\\>alert(1)\\</script\\>');
  expect(md.stdout).not.toMatch(/(?<!\\)[<`](?!br>)/);
});

test('Markdown: headings, tables and the issue with its reference and sync state', async () => {
  const issues = await t.client.issues(HOSTILE.id);
  const r = await run([IDS['1.6'].good, HOSTILE.id, '--format', 'md']);
  expect(r.code).toBe(0);
  const md = r.stdout;
  expect(md.startsWith('# Commissioning report\n')).toBe(true);
  expect(md).toContain(`## ${IDS['1.6'].good}\n`);
  expect(md).toMatch(/\| Step \| Result \| Duration \| Detail \|\n\| --- \| --- \| --- \| --- \|\n\| connectivity \| passed \|/);
  expect(md).toContain(`| ${issues.issues[0]!.reference_number} |`);
  // Every table row has as many cells as its header: no pipe from a charger split one.
  for (const block of md.split('\n\n').filter((b) => b.startsWith('|'))) {
    const widths = block.split('\n').map((row) => row.replace(/\\\|/g, '').split('|').length);
    expect(new Set(widths).size, block).toBe(1);
  }
});

test('JSON: issues with references and sync state; a charge point with no session is not started', async () => {
  const report = await jsonReport(HOSTILE.id, 'CP-NEVER');
  const [xss, never] = report.charge_points;
  const [listed] = (await t.client.issues(HOSTILE.id)).issues;
  expect(xss!.issues).toEqual([{ reference_number: listed!.reference_number, local_reference: null, issue_id: listed!.issue_id, category: 'hardware_defect', severity: 'high', status: 'open', created_at: listed!.created_at, step: 'connectivity', description: HOSTILE_ISSUE, sync_state: 'pending' }]);
  // Passed, but an open high-severity issue keeps it from sign-off.
  expect(xss!.verdict).toMatchObject({ status: 'passed', sign_off: false, reasons: expect.arrayContaining([`Open high issue ${listed!.reference_number} (hardware_defect) must be resolved first.`]) });
  expect(never).toMatchObject({ charge_point_id: 'CP-NEVER', verdict: { status: 'not_started', sign_off: false }, session: null, steps: [], test_transaction: null });
  expect(report.summary).toMatchObject({ charge_points: 2, passed: 1, not_started: 1, sign_off: 0 });
});

test('usage and errors: --site needs the local server, an unknown id is not found, no Chromium is named', async () => {
  const site = await run(['--site']);
  expect(site.code).toBe(2);
  expect(site.stderr).toContain('the hosted API has no list of charge points');
  expect(site.stderr).toContain('hint: give their ids: dynamo report CP-1 CP-2');
  expect((await run([])).code).toBe(2);
  const unknown = await run(['CP-NOPE', '--format', 'json']);
  expect(unknown.code).toBe(6);

  const out = join(dir, 'none.pdf');
  const missing = await run([IDS['1.6'].good, '--format', 'pdf', '--out', out], { DYNAMO_CHROMIUM: join(dir, 'no-such-chromium') });
  expect(missing.code).toBe(8);
  expect(missing.stderr).toContain('no-such-chromium');
  expect(missing.stderr).toMatch(/hint: install Debian's chromium package \(sudo apt-get install chromium\)/);
  expect(existsSync(out)).toBe(false);
  // A Chromium that makes no PDF: said, with its exit status; nothing left behind.
  const scratch = tempDir();
  const broken = await run([IDS['1.6'].good, '--format', 'pdf', '--out', out], { DYNAMO_CHROMIUM: '/bin/false', TMPDIR: scratch });
  expect(broken.code).toBe(1);
  expect(broken.stderr).toContain('error: /bin/false made no PDF (exit 1)');
  expect(readdirSync(scratch)).toEqual([]);
  expect(existsSync(out)).toBe(false);
  // Nothing half-written next to it either.
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('every field of the JSON report is in its documented schema (docs/report.md)', async () => {
  const doc = readFileSync(new URL('../../docs/report.md', import.meta.url), 'utf8');
  const keys = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (keys.add(k), walk(x));
  };
  walk(await jsonReport(IDS['1.6'].good, IDS['2.0.1'].bad, HOSTILE.id, 'CP-NEVER'));
  // Named in the tables as `name`, `parent.name`, `name[]` or `name.child`, or quoted in the outline.
  expect([...keys].filter((k) => !new RegExp(`[\`."]${k}[\`.\\["]`).test(doc))).toEqual([]);
});

test('facts are read from the engine\'s info lines only: a line at another level cannot pass for one', () => {
  const line = settingLine({ name: 'HeartbeatInterval', sent: '300', outcome: 'applied', reason: null, read_back: '300' });
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => readFacts([{ seq: 1, timestamp: '2026-01-01T00:00:00Z', level, step: 'configuration', message: line }]).settings;
  expect(at('info')).toHaveLength(1);
  for (const level of ['debug', 'warn', 'error'] as const) expect(at(level), level).toEqual([]);
  expect(readFacts([{ seq: 1, timestamp: '2026-01-01T00:00:00Z', level: 'info', step: null, message: 'Setting outcome: {"name":1}' }]).settings).toEqual([]);
});
