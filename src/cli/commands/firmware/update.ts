import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { ApiClient } from '../../../api/client.js';
import { ApiRequestError } from '../../../api/client-errors.js';
import type { FirmwareImage, FirmwareUpdate, FirmwareUpdateRequest } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { NotOnThisServer, UsageError } from '../../errors.js';
import { EXIT, exitCodeFor } from '../../exit-codes.js';
import { shellWord } from '../../../common/shell-word.js';

export interface FirmwareUpdateOptions {
  chargePointIds: string[];
  file: string;
  version?: string | undefined;
  retrieveAt?: string | undefined;
  signatureFile?: string | undefined;
  signingCertificate?: string | undefined;
  wait: boolean;
}

/** A charger's update as the command follows it; `error` when it could not even be started. */
export interface Tracked {
  chargePointId: string;
  update: FirmwareUpdate | null;
  error: string | null;
}

const POLL_MS = 500;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch (err) {
    throw new UsageError(`cannot read the firmware file ${file}: ${(err as Error).message}`);
  }
}

/** Hands the image to the server, once it has said it takes one: the hosted API has no such route. */
async function upload(ctx: CliContext, client: ApiClient, file: string, size: number): Promise<FirmwareImage> {
  const notHere = new NotOnThisServer(
    `${ctx.apiUrl()} has no firmware route: the laptop's local server serves firmware to the chargers, the hosted API does not`,
    'run dynamo local up on the site, then dynamo --local firmware update …',
  );
  if (!(await client.takesFirmware())) throw notHere;
  try {
    return await client.putFirmware({ stream: createReadStream(file), size });
  } catch (err) {
    if (err instanceof ApiRequestError && (err.status === 404 || err.status === 405)) throw notHere;
    throw err;
  }
}

export const finished = (t: Tracked): boolean => t.error !== null || (t.update !== null && t.update.state !== 'running');

/** 0 only when every charger installed the image (and reports the version asked for). */
export function exitCodeOf(tracked: Tracked[], startError: unknown): number {
  if (startError !== null) return exitCodeFor(startError);
  return tracked.every((t) => t.update?.state === 'installed') ? EXIT.ok : EXIT.commissioningFailed;
}

export async function run(ctx: CliContext, o: FirmwareUpdateOptions): Promise<number> {
  if (o.retrieveAt !== undefined && Number.isNaN(Date.parse(o.retrieveAt))) throw new UsageError(`--retrieve-at ${o.retrieveAt} is not a date and time (ISO 8601)`);
  const request: Omit<FirmwareUpdateRequest, 'firmware_id'> = {
    ...(o.version !== undefined && { expected_version: o.version }),
    ...(o.retrieveAt !== undefined && { retrieve_at: new Date(o.retrieveAt).toISOString() }),
    ...(o.signatureFile !== undefined && { signature: readText(o.signatureFile, 'signature file') }),
    ...(o.signingCertificate !== undefined && { signing_certificate: readText(o.signingCertificate, 'signing certificate') }),
  };
  const size = sizeOf(o.file);
  const client = await ctx.client();
  try {
    const image = await upload(ctx, client, o.file, size);
    const follow = ctx.interactive || o.wait;
    const stream = follow && !ctx.interactive;
    if (stream) ctx.out.ndjson({ kind: 'image', ...image });
    else ctx.out.info(`firmware ${image.firmware_id}: ${image.size} bytes, sha256 ${image.sha256}`);
    const tracked: Tracked[] = [];
    let startError: unknown = null;
    for (const chargePointId of o.chargePointIds) {
      try {
        const update = await client.startFirmwareUpdate(chargePointId, { firmware_id: image.firmware_id, ...request });
        tracked.push({ chargePointId, update, error: null });
        if (stream) ctx.out.ndjson({ kind: 'update', ...update });
        else ctx.out.info(`${chargePointId}: UpdateFirmware sent (${update.update_id})`);
      } catch (err) {
        startError ??= err;
        const message = err instanceof Error ? err.message : String(err);
        tracked.push({ chargePointId, update: null, error: message });
        if (stream || ctx.out.json) ctx.out.ndjson({ kind: 'error', charge_point_id: chargePointId, message, exit_code: exitCodeFor(err) });
        else ctx.out.warn(`error: ${chargePointId}: ${message}`);
      }
    }
    if (!follow) {
      if (ctx.out.json) ctx.out.document({ ...image, updates: tracked.map((t) => t.update).filter(Boolean) });
      else ctx.out.info(`follow it with ${ctx.command(`logs ${shellWord(o.chargePointIds[0]!)} --firmware`)}, or run this with --wait`);
      return startError === null ? EXIT.ok : exitCodeFor(startError);
    }
    let final: Tracked[];
    if (ctx.interactive) {
      const { runFirmwareView } = await import('../../ui/firmware-view.js');
      final = await runFirmwareView(ctx, (t) => poll(client, t), tracked);
    } else {
      final = await followStreamed(ctx, client, tracked);
    }
    return exitCodeOf(final, startError);
  } finally {
    await client.close();
  }
}

/** The latest state of each update still running; a poll that fails leaves it as it was. */
export async function poll(client: ApiClient, tracked: Tracked[]): Promise<Tracked[]> {
  return Promise.all(
    tracked.map(async (t) => {
      if (finished(t)) return t;
      try {
        return { ...t, update: await client.firmwareUpdate(t.chargePointId) };
      } catch {
        return t;
      }
    }),
  );
}

/** NDJSON: a line per change of each update, a `result` line as each ends, a `summary` at the end. */
async function followStreamed(ctx: CliContext, client: ApiClient, tracked: Tracked[]): Promise<Tracked[]> {
  const seen = new Map(tracked.map((t) => [t.chargePointId, JSON.stringify(t.update)]));
  let current = tracked;
  while (!current.every(finished)) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    current = await poll(client, current);
    for (const t of current) {
      const text = JSON.stringify(t.update);
      if (t.update === null || seen.get(t.chargePointId) === text) continue;
      seen.set(t.chargePointId, text);
      ctx.out.ndjson({ kind: finished(t) ? 'result' : 'progress', ...t.update });
    }
  }
  const installed = current.filter((t) => t.update?.state === 'installed').length;
  ctx.out.ndjson({ kind: 'summary', installed, failed: current.length - installed });
  return current;
}
