import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { cli } from '../helpers/cli.js';
import { answerOnTerminal } from '../helpers/pty.js';
import { OCPP_VERSIONS, startServer, waitForEnd, type TestServer } from '../helpers/server.js';

/** Which template a session uses and why, a template made for other models, and drop-ins that are not valid. */
let t: TestServer;
afterEach(async () => {
  await t.stop();
});

const run = (args: string[]) => cli(['--api-url', t.server.apiUrl, ...args], { env: { DYNAMO_TOKEN: t.token } });
const ABB_AC = { vendor: 'ABB', model: 'Terra AC W22-G5' };

describe.each(OCPP_VERSIONS)('OCPP %s', (ocpp) => {
  test('start says which template and why: model match, then last used, then given; the default for a model nobody names', async () => {
    t = await startServer();
    await t.station('CP-ABB', ocpp, ABB_AC);
    await t.station('CP-ODD', ocpp, { vendor: 'Nobody', model: 'Unheard Of 7' });
    const once = async (args: string[]) => {
      const r = await run(['start', ...args, '--skip-test-transaction']);
      expect(r.code).toBe(0);
      await waitForEnd(t.client, args[0]!);
      return r.stderr;
    };
    expect(await once(['CP-ABB'])).toContain('template tpl_standard_ac_22kw (its compatible_models names this model)');
    expect(await once(['CP-ABB'])).toContain('template tpl_standard_ac_22kw (the one it used last)');
    expect(await once(['CP-ABB', '-t', 'tpl_dc_rapid_50kw'])).toContain('template tpl_dc_rapid_50kw (given with -t)');
    expect(await once(['CP-ODD'])).toContain('template tpl_standard_ac_22kw (the default: none given, none used before, none names this model)');
    const json = await run(['start', 'CP-ODD', '--json', '--skip-test-transaction']);
    expect(JSON.parse(json.stdout)).toMatchObject({ template_id: 'tpl_standard_ac_22kw', template_choice: 'last_used' });
    expect(json.stderr).toBe('');
    await waitForEnd(t.client, 'CP-ODD');
  }, 60_000);

  test('apply-template of a template made for other models warns (scripts go on); one that names the model does not', async () => {
    t = await startServer();
    await t.station('CP-ABB', ocpp, ABB_AC);
    const other = await run(['apply-template', 'CP-ABB', 'tpl_dc_rapid_50kw']);
    expect(other.code).toBe(0);
    expect(other.stderr).toContain('warning: tpl_dc_rapid_50kw is made for ABB Terra 54 CJG, Tritium PKM75; CP-ABB reports itself as ABB Terra AC W22-G5');
    const own = await run(['apply-template', 'CP-ABB', 'tpl_standard_ac_22kw']);
    expect(own.code).toBe(0);
    expect(own.stderr).not.toContain('warning');
  }, 60_000);
});

test('on a terminal apply-template asks before pushing a template made for other models; no leaves it unapplied', async () => {
  t = await startServer();
  await t.station('CP-ABB', '1.6', ABB_AC);
  const { code, output } = await answerOnTerminal(['--api-url', t.server.apiUrl, 'apply-template', 'CP-ABB', 'tpl_dc_rapid_50kw'], { DYNAMO_TOKEN: t.token }, '\r');
  expect(output).toContain('Push tpl_dc_rapid_50kw to CP-ABB anyway? [y/N]');
  expect(code).toBe(2);
  expect(output).toContain('tpl_dc_rapid_50kw not applied (not confirmed)');
  expect(t.server.store.chargePoints.get('CP-ABB')!.templateId).toBeNull();
}, 30_000);

test('a drop-in template that is not valid: templates shows its file and reason, start -t names them', async () => {
  t = await startServer();
  await t.station('CP-1', '1.6');
  const broken = join(t.dataDir, 'templates', 'tpl_site_ac.json');
  writeFileSync(broken, '{ "template_id": "tpl_site_ac", ');
  const wrong = join(t.dataDir, 'templates', 'mine.json');
  writeFileSync(wrong, JSON.stringify({ template_id: 'tpl_mine', name: 'Mine', description: 'A site template', compatible_models: [], steps: ['warp_drive'], created_at: '2024-01-01T00:00:00Z' }));

  const plain = await run(['templates']);
  expect(plain.code).toBe(0);
  expect(plain.stdout).toContain('Left out, not valid');
  expect(plain.stdout).toContain(`${broken} (tpl_site_ac): not valid JSON`);
  expect(plain.stdout).toMatch(new RegExp(`${wrong.replace(/[/.]/g, '\\$&')} \\(tpl_mine\\): .*steps`));
  const json = JSON.parse((await run(['templates', '--json'])).stdout);
  expect(json.invalid_templates).toEqual(expect.arrayContaining([expect.objectContaining({ file: wrong, template_id: 'tpl_mine', reason: expect.stringContaining('steps') })]));

  const start = await run(['start', 'CP-1', '-t', 'tpl_mine']);
  expect(start.code).toBe(6);
  expect(start.stderr).toContain(`template tpl_mine not found: its file ${wrong} is not valid (`);
  const startBroken = await run(['start', 'CP-1', '-t', 'tpl_site_ac']);
  expect(startBroken.stderr).toContain(`its file ${broken} is not valid (not valid JSON`);
}, 30_000);
