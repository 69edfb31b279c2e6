import type * as T from '../ocpp/ocpp16.js';
import { downloadFirmware, type FirmwareFailure, TransferFailed, type TransferOptions, versionAfter } from './http-transfer.js';

export interface Firmware16Deps {
  notify(status: T.FirmwareStatusNotificationRequest['status']): Promise<unknown>;
  wait(ms: number): Promise<void>;
  version(): string;
  /** Reboots into `version`. */
  rebootInto(version: string): void;
  log(line: string): void;
  failure?: FirmwareFailure;
  transfer: TransferOptions;
  /** The pause between statuses, as a real charger takes a moment for each stage. */
  stepMs: number;
}

/**
 * A 1.6 charge point's firmware update (FirmwareManagement): Downloading, Downloaded, Installing,
 * a reboot into the new version, and Installed after the boot, as most 1.6 firmware reports it;
 * DownloadFailed or InstallationFailed where it is told to fail.
 */
export class Firmware16 {
  private installedAfterBoot = false;

  constructor(private readonly deps: Firmware16Deps) {}

  async run(request: T.UpdateFirmwareRequest): Promise<void> {
    const { deps } = this;
    const delay = Date.parse(request.retrieveDate) - Date.now();
    if (delay > 0) await deps.wait(delay);
    await deps.notify('Downloading');
    let image;
    try {
      if (deps.failure === 'download') throw new TransferFailed('told to fail the download');
      image = await downloadFirmware(request.location, { ...deps.transfer, corrupt: deps.failure === 'checksum' });
    } catch (err) {
      deps.log(`firmware download failed: ${(err as Error).message}`);
      await deps.wait(deps.stepMs);
      await deps.notify('DownloadFailed');
      return;
    }
    deps.log(`firmware downloaded: ${image.size} bytes in ${image.requests} request(s)`);
    await deps.wait(deps.stepMs);
    await deps.notify('Downloaded');
    await deps.wait(deps.stepMs);
    await deps.notify('Installing');
    await deps.wait(deps.stepMs);
    if (deps.failure === 'install') {
      await deps.notify('InstallationFailed');
      return;
    }
    this.installedAfterBoot = true;
    deps.rebootInto(deps.failure === 'old-version' ? deps.version() : versionAfter(image, deps.version()));
  }

  /** After every boot: Installed, once, for the update it rebooted for. */
  async booted(): Promise<void> {
    if (!this.installedAfterBoot) return;
    this.installedAfterBoot = false;
    await this.deps.notify('Installed');
  }
}
