import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

/** Runs one hardening script, short, and returns its report. The full runs: npm run fuzz, crash-test, soak. */
function run(script: string, env: Record<string, string>): Record<string, any> {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const r = spawnSync(process.execPath, [file], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 240_000 });
  const report = JSON.parse(r.stdout) as Record<string, any>;
  expect(report, JSON.stringify(report, null, 2)).toMatchObject({ ok: true });
  expect(r.status).toBe(0);
  return report;
}

test('OCPP fuzzing, short: every CALL answered per the spec, the server up, neighbours served; an upgrade flood costs no scrypt', () => {
  const report = run('ocpp-fuzz.mjs', { FUZZ_FRAMES: '3000', FUZZ_UPGRADES: '600' });
  expect(report.frames_sent).toBeGreaterThanOrEqual(3000);
  expect(report.answered_conforming).toBe(report.calls_owed_an_answer);
  const flood = report.upgrade_flood;
  expect(flood.fresh_charger_connected).toBe(true);
  // The neighbour's first connection and the fresh charger's: the flood itself cost none.
  expect(flood.password_checks).toBe(2);
  expect(flood.refused.unknown_id).toBeGreaterThan(0);
}, 250_000);

test('REST fuzzing, short: no 5xx, no access without a valid token', () => {
  const report = run('rest-fuzz.mjs', { REST_FUZZ_REQUESTS: '1500' });
  expect(report.requests).toBe(1500);
  expect(report.by_status['401']).toBeGreaterThan(0);
}, 250_000);

test('crash safety, short: SIGKILL during sessions, issues and sync, three times', () => {
  const report = run('crash-test.mjs', { CRASH_KILLS: '3' });
  expect(report.kills_survived).toBe(3);
  expect(report.site_issues).toBeGreaterThanOrEqual(report.acknowledged_issues);
  expect(report.cloud_issues).toBe(report.site_issues);
}, 250_000);

test('soak, short: memory and handles flat, every session finishes', () => {
  const report = run('soak.mjs', { SOAK_SECONDS: '20', SOAK_CHARGE_POINTS: '30', SOAK_SESSIONS: '6', SOAK_SAMPLE_S: '2' });
  expect(report.sessions_passed).toBe(report.sessions_started);
}, 250_000);
