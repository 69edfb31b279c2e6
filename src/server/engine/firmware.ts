import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { FirmwareImage, FirmwareUpdate, FirmwareUpdateRequest } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { newId } from '../../common/ids.js';
import { isoSeconds } from '../../common/time.js';
import type { AnyChargePoint } from '../../ocpp/csms/charge-point.js';
import type { CsmsServer } from '../../ocpp/csms/server.js';
import { describeError } from '../../ocpp/guarded-emit.js';
import { BodyRefused, receiveFile } from '../files/receive.js';
import type { SiteFiles } from '../files/site-files.js';
import type { StoredUpdate } from '../store/firmware.js';
import type { Store } from '../store/store.js';
import { adapterFor } from './protocol/adapters.js';
import { type TransferKind, type TransferRun, TransferRuns } from './transfer-runs.js';

export interface FirmwareSettings {
  /** The largest image the installer may hand the server. */
  maxImageBytes: number;
  /** How long a charger's download URL lives. */
  downloadTtlMs: number;
  /** After Installed (or a reboot into the new version), how long to wait for the other. */
  rebootWaitMs: number;
  /** An update with no news from the charger for this long has failed. */
  silenceTimeoutMs: number;
  /** Images kept besides those a running update serves: each may be a GiB, and the laptop's disk is the site's. */
  keepImages: number;
}

export const DEFAULT_FIRMWARE_SETTINGS: FirmwareSettings = {
  maxImageBytes: 1024 * 1024 * 1024,
  downloadTtlMs: 2 * 3600_000,
  rebootWaitMs: 180_000,
  silenceTimeoutMs: 30 * 60_000,
  keepImages: 3,
};

/** What receiveImage and receiveFile write in the firmware folder: images and uploads under way. */
const OUR_FILE = /^(fw_[0-9a-f]{16}\.bin|\.receiving-[0-9a-f]{16}\.part)$/;

interface Run extends TransferRun<StoredUpdate> {
  installedSeen: boolean;
  /** The firmware version of a boot since the update began. */
  bootedVersion: string | null;
}

const UPDATE: TransferKind<StoredUpdate> = {
  log: 'firmware',
  noun: 'firmware update',
  url: 'download',
  idOf: (u) => u.update_id,
  save: (store, u) => store.firmware.saveUpdate(u),
  running: (store) => store.firmware.running(),
  latest: (store, id) => store.firmware.latestUpdate(id),
};

/**
 * Firmware updates from the laptop: the image is served by the site's file server at a one-time
 * URL, UpdateFirmware goes out in the charger's version (protocol adapters), and its
 * FirmwareStatusNotifications are followed to the end: Installed and a reboot whose
 * BootNotification reports the expected version, or a failure status, or silence. Every step is
 * in the charge point's own log (store.events), which syncs.
 */
export class FirmwareUpdates extends TransferRuns<StoredUpdate, Run> {
  constructor(
    store: Store,
    csms: CsmsServer,
    private readonly files: SiteFiles,
    private readonly settings: FirmwareSettings,
    private readonly serverLog: (line: string) => void,
  ) {
    super(store, csms, UPDATE);
    csms.on('call', (cp, action, request) => {
      if (action === 'FirmwareStatusNotification') this.onStatus(cp, request);
    });
    csms.on('booted', (cp, boot) => this.onBoot(cp.id, boot.firmwareVersion));
  }

  /** Takes an image from the installer (the request's body, streamed): kept 0600 in the data directory. */
  async receiveImage(body: IncomingMessage): Promise<FirmwareImage> {
    const id = `fw_${randomBytes(8).toString('hex')}`;
    try {
      const file = await receiveFile(body, this.files.firmwareDir, this.settings.maxImageBytes, () => `${id}.bin`);
      const image = { firmware_id: id, size: file.size, sha256: file.sha256, created_at: isoSeconds(), path: file.path };
      this.store.write(() => this.store.firmware.addImage(image));
      this.pruneImages();
      return { firmware_id: id, size: file.size, sha256: file.sha256, created_at: image.created_at };
    } catch (err) {
      if (!(err instanceof BodyRefused)) throw err;
      throw err.status === 413 ? new ApiError('payload_too_large', `the firmware image is ${err.message}`) : new ApiError('validation_error', err.message, [{ field: '(body)', issue: 'incomplete' }]);
    }
  }

  async start(chargePointId: string, request: FirmwareUpdateRequest): Promise<FirmwareUpdate> {
    this.known(chargePointId);
    const image = this.store.firmware.image(request.firmware_id);
    if (!image) throw new ApiError('not_found', `firmware ${request.firmware_id} not found; upload it first`);
    // Deleted by hand, or on a disk that failed: offered, the charger would get a broken download.
    if (!existsSync(image.path)) throw new ApiError('not_found', `firmware ${request.firmware_id}'s file is gone from ${this.files.firmwareDir}; upload it again`);
    const cp = this.connectedFree(chargePointId);
    // The update reboots the charger: a session running meanwhile would fail for it.
    if (this.store.sessions.active(chargePointId)) throw new ApiError('session_already_running', `a commissioning session is running on ${chargePointId}; stop it or wait for its end first`);
    const update: StoredUpdate = {
      update_id: newId('fwu'),
      charge_point_id: chargePointId,
      firmware_id: image.firmware_id,
      state: 'running',
      status: 'Requested',
      detail: null,
      size: image.size,
      bytes_served: 0,
      expected_version: request.expected_version ?? null,
      reported_version: null,
      started_at: isoSeconds(),
      finished_at: null,
      requestId: randomInt(1, 2 ** 31 - 1),
    };
    const offer = this.files.offerDownload(cp, { path: image.path, size: image.size, sha256: image.sha256, onServed: (n) => (update.bytes_served += n) }, this.settings.downloadTtlMs);
    const run: Run = {
      record: update,
      offer,
      // Refreshed by every status and boot: an update has failed only when the charger goes quiet.
      deadline: this.deadline(chargePointId, this.settings.silenceTimeoutMs, (u) => `no news from ${chargePointId} for ${this.settings.silenceTimeoutMs / 60_000} min (last status ${u.status})`),
      wait: null,
      installedSeen: false,
      bootedVersion: null,
    };
    this.begin(run, () => this.store.firmware.addUpdate(update));
    const where = offer.url.replace(/[^/]+$/, '…');
    this.log(update, 'info', `UpdateFirmware: ${image.firmware_id} (${image.size} bytes, sha256 ${image.sha256.slice(0, 12)}…)${update.expected_version ? `, expecting version ${update.expected_version}` : ''}, from ${where}`);
    try {
      const sent = await adapterFor(cp.version).firmware.update(cp, {
        requestId: update.requestId,
        location: offer.url,
        retrieveAt: request.retrieve_at ? new Date(request.retrieve_at) : new Date(),
        ...(request.signature !== undefined && { signature: request.signature }),
        ...(request.signing_certificate !== undefined && { signingCertificate: request.signing_certificate }),
      });
      if (!sent.ok) this.finish(run, 'failed', sent.detail);
    } catch (err) {
      this.finish(run, 'failed', `UpdateFirmware failed: ${describeError(err)}`);
    }
    return this.view(update);
  }

  /** The charge point's latest update, with the bytes served so far. */
  latest(chargePointId: string): FirmwareUpdate {
    return this.view(this.latestRecord(chargePointId));
  }

  /**
   * Lets go of all but the newest images (and any a running update serves): the row first, then
   * the file, so a crash between them leaves a file the start-up sweep removes, never a row
   * pointing at nothing. The sweep also takes what a killed upload left half-written; it touches
   * only names this class writes. A file that will not go is said, and costs nothing else: the
   * upload that triggered it has succeeded, and the server must start.
   */
  pruneImages(sweep = false): void {
    try {
      for (const image of this.store.firmware.imagesBeyond(this.settings.keepImages)) {
        this.store.write(() => this.store.firmware.removeImage(image.firmware_id));
        rmSync(image.path, { force: true });
      }
      if (!sweep) return;
      const kept = this.store.firmware.imageFileNames();
      const dir = this.files.firmwareDir;
      for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
        if (entry.isFile() && OUR_FILE.test(entry.name) && !kept.has(entry.name)) rmSync(join(dir, entry.name), { force: true });
      }
    } catch (err) {
      this.serverLog(`firmware images: could not delete an old one (${describeError(err)}); it stays in ${this.files.firmwareDir}`);
    }
  }

  private onStatus(cp: AnyChargePoint, notification: unknown): void {
    const run = this.runs.get(cp.id);
    if (!run) return;
    const update = run.record;
    const { status, stage, ours } = adapterFor(cp.version).firmware.read(notification, update.requestId);
    if (!ours) return;
    run.deadline.refresh();
    update.status = status;
    const served = status === 'Downloading' || status === 'Downloaded' ? ` (${update.bytes_served} of ${update.size} bytes served)` : '';
    if (stage === 'failed') {
      this.finish(run, 'failed', `${cp.id} reported ${status}${served}`);
      return;
    }
    this.log(update, 'info', `FirmwareStatusNotification: ${status}${served}`);
    this.save(run);
    if (stage === 'installed') {
      run.installedSeen = true;
      if (run.bootedVersion !== null) this.settle(run);
      else this.waitThenSettle(run, `reported Installed; waiting up to ${this.settings.rebootWaitMs / 1000} s for it to reboot`);
    } else if (stage === 'idle') {
      if (run.bootedVersion !== null) this.settle(run);
      else this.finish(run, 'failed', `${cp.id} went Idle without reporting Installed`);
    }
  }

  private onBoot(chargePointId: string, version: string | null): void {
    const run = this.runs.get(chargePointId);
    if (!run || run.record.status === 'Requested') return;
    run.deadline.refresh();
    run.bootedVersion = version ?? '';
    this.log(run.record, 'info', `Rebooted: BootNotification with firmware ${version ?? '(none given)'}`);
    // 1.6 firmware often reports Installed only after the reboot; give it the time to.
    if (run.installedSeen) this.settle(run);
    else this.waitThenSettle(run, 'rebooted before reporting Installed; waiting for it');
  }

  private waitThenSettle(run: Run, why: string): void {
    this.log(run.record, 'info', why);
    this.waitThen(run, this.settings.rebootWaitMs, () => this.settle(run));
  }

  /** The end: the version it came back with, against the one expected. */
  private settle(run: Run): void {
    const update = run.record;
    if (this.runs.get(update.charge_point_id) !== run) return;
    const version = run.bootedVersion ?? this.store.chargePoints.get(update.charge_point_id)?.boot?.firmwareVersion ?? null;
    update.reported_version = version || null;
    const expected = update.expected_version;
    if (expected !== null && version !== expected) {
      this.finish(run, 'failed', run.bootedVersion === null ? `no reboot into version ${expected}; it still reports ${version ?? 'no version'}` : `it came back with firmware ${version || '(none given)'}, not ${expected}`);
    } else {
      this.finish(run, 'installed', `installed${version ? `: firmware ${version}` : ''}`);
    }
  }

  protected finish(run: Run, state: 'installed' | 'failed', detail: string): void {
    const { record: update } = run;
    if (!this.end(run, state, detail)) return;
    this.log(update, state === 'installed' ? 'info' : 'error', `Firmware update ${state === 'installed' ? 'done' : 'failed'}: ${update.detail}`);
    this.serverLog(`${update.charge_point_id}: firmware update ${state}: ${update.detail}`);
  }

  /** A copy, without the OCPP requestId, which is ours. */
  private view = ({ requestId: _requestId, ...rest }: StoredUpdate): FirmwareUpdate => ({ ...rest });
}
