import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { ApiClient } from '../../../api/client.js';
import { ApiRequestError } from '../../../api/client-errors.js';
import type { DiagnosticsFetch } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { NotOnThisServer } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { shellWord } from '../../../common/shell-word.js';

const POLL_MS = 500;

/**
 * `diagnostics <cp> --fetch`: asks the charger for its own diagnostics file (GetDiagnostics /
 * GetLog), follows the upload to the local server, and with `--out` copies the file here.
 * 0 when the file is stored, 3 when the charger did not deliver it.
 */
export async function fetchDiagnostics(ctx: CliContext, client: ApiClient, chargePointId: string, out: string | undefined): Promise<number> {
  let fetch: DiagnosticsFetch;
  try {
    fetch = await client.startDiagnosticsFetch(chargePointId);
  } catch (err) {
    // A 404 about the route (ours say "no route"; another server's does not name the charge point): a server without it.
    if (err instanceof ApiRequestError && (err.status === 405 || (err.status === 404 && (/^no route /.test(err.message) || !err.message.includes(chargePointId))))) throw notHere(ctx);
    throw err;
  }
  ctx.out.info(`${chargePointId}: asked for its diagnostics file (${fetch.fetch_id})`);
  let shown = fetch.status;
  while (fetch.state === 'running') {
    await new Promise((r) => setTimeout(r, POLL_MS));
    fetch = await client.diagnosticsFetch(chargePointId);
    if (fetch.status !== shown) ctx.out.info(`  ${fetch.status}`);
    shown = fetch.status;
  }
  if (fetch.state === 'stored' && out) await copyTo(client, chargePointId, out);
  if (ctx.out.json) ctx.out.document({ ...fetch, ...(out && fetch.state === 'stored' && { out }) });
  else if (fetch.state === 'stored') {
    ctx.out.line(`${chargePointId}: diagnostics ${fetch.detail}${out ? `; written to ${out}` : ''}`);
    if (!out) ctx.out.info(`copy it here with ${ctx.command(`diagnostics ${shellWord(chargePointId)} --fetch --out <file>`)} (fetches it again), or attach it to an issue: ${ctx.command(`issue report ${shellWord(chargePointId)} --attach-diagnostics`)}`);
  } else ctx.out.warn(`error: ${chargePointId}: diagnostics fetch failed: ${fetch.detail ?? fetch.status}`);
  return fetch.state === 'stored' ? EXIT.ok : EXIT.commissioningFailed;
}

const notHere = (ctx: CliContext): NotOnThisServer =>
  new NotOnThisServer(`${ctx.apiUrl()} has no diagnostics-fetch route: chargers upload their files to the laptop's local server, not to the hosted API`, 'run dynamo local up on the site, then dynamo --local diagnostics <cp> --fetch');

/** Written beside the target and renamed onto it, so a cut download never leaves half a file under its name. */
async function copyTo(client: ApiClient, chargePointId: string, path: string): Promise<void> {
  const temp = `${path}.${process.pid}.part`;
  const file = createWriteStream(temp, { mode: 0o600 });
  try {
    await client.diagnosticsFile(chargePointId, file);
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await rename(temp, path);
  } catch (err) {
    file.destroy();
    await rm(temp, { force: true });
    throw err;
  }
}
