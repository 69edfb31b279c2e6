/**
 * Log uploads (N01, GetLog) and firmware updates (L01/L02, UpdateFirmware): the status
 * notifications each step sends, retries, scheduling and cancelling. The bytes themselves go
 * through a FileTransfer: over HTTP(S) for real (../http-transfer.ts), other protocols the
 * station lists (FTP) simulated, moving nothing.
 */
import type * as T from '../../ocpp/ocpp201.js';
import { diagnosticsFile, type DownloadedImage, downloadFirmware, type FirmwareFailure, type TransferOptions, uploadFile } from '../http-transfer.js';
import { listItems } from './value-check.js';

export type TransferFailure = 'BadMessage' | 'NotSupportedOperation' | 'PermissionDenied' | 'Failed';

export class TransferError extends Error {
  constructor(
    readonly failure: TransferFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface FileTransfer {
  upload(location: string, fileName: string, content: Buffer): Promise<void>;
  /** The image fetched; null where the transfer was only simulated. */
  download(location: string): Promise<DownloadedImage | null>;
}

/**
 * HTTP and HTTPS for real; another protocol the station lists takes a moment and moves nothing;
 * one it does not list is refused.
 */
export class StationTransfer implements FileTransfer {
  constructor(
    private readonly protocols: () => string,
    private readonly wait: (ms: number) => Promise<void>,
    private readonly options: () => TransferOptions,
    private readonly durationMs = 50,
  ) {}

  async upload(location: string, fileName: string, content: Buffer): Promise<void> {
    if (this.check(location)) await this.real(() => uploadFile(location, fileName, content, this.options()));
    else await this.wait(this.durationMs);
  }

  async download(location: string): Promise<DownloadedImage | null> {
    if (this.check(location)) return this.real(() => downloadFirmware(location, this.options()));
    await this.wait(this.durationMs);
    return null;
  }

  private async real<T>(move: () => Promise<T>): Promise<T> {
    try {
      return await move();
    } catch (err) {
      throw new TransferError('Failed', (err as Error).message);
    }
  }

  /** Whether the location is HTTP(S); throws for one the station cannot use. */
  private check(location: string): boolean {
    const scheme = /^([a-z]+):\/\//i.exec(location)?.[1]?.toUpperCase();
    if (!scheme) throw new TransferError('BadMessage', `${location} is not a URL`);
    if (!listItems(this.protocols()).includes(scheme)) {
      throw new TransferError('NotSupportedOperation', `${scheme} is not in FileTransferProtocols`);
    }
    return scheme === 'HTTP' || scheme === 'HTTPS';
  }
}

export interface TransferDeps {
  transfer: FileTransfer;
  /** The log upload fails (UploadFailure), when told to. */
  uploadFails?: boolean;
  wait(ms: number): Promise<void>;
  /** The pause between statuses. */
  stepMs: number;
  now(): Date;
  log(line: string): void;
}

interface Job {
  readonly requestId: number;
  cancelled: boolean;
}

/** Runs `step`, then again after `intervalS` up to `retries` more times; rethrows the last failure. */
async function withRetries(deps: TransferDeps, job: Job, retries: number, intervalS: number, step: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await step();
      return;
    } catch (err) {
      if (attempt >= retries || job.cancelled) throw err;
      deps.log(`${(err as Error).message}; retrying in ${intervalS} s`);
      await deps.wait(intervalS * 1000);
    }
  }
}

const failureOf = (err: unknown): TransferFailure => (err instanceof TransferError ? err.failure : 'Failed');

export class LogUploads {
  private current: Job | null = null;

  constructor(
    private readonly deps: TransferDeps,
    private readonly notify: (request: T.LogStatusNotificationRequest) => Promise<unknown>,
  ) {}

  /** F06.FR.14/15: what a triggered LogStatusNotification says. */
  get triggered(): T.LogStatusNotificationRequest {
    return this.current ? { status: 'Uploading', requestId: this.current.requestId } : { status: 'Idle' };
  }

  /** Answers GetLog; the upload runs after the answer went out (`afterReply`). */
  start(request: T.GetLogRequest, afterReply: (fn: () => Promise<void>) => void): T.GetLogResponse {
    const previous = this.current;
    const job: Job = { requestId: request.requestId, cancelled: false };
    this.current = job;
    const filename = `${request.logType}-${this.deps.now().toISOString().replace(/[:.]/g, '-')}.log`;
    afterReply(async () => {
      if (previous) {
        previous.cancelled = true;
        await this.notify({ status: 'AcceptedCanceled', requestId: previous.requestId });
      }
      await this.run(job, request, filename);
    });
    return { status: previous ? 'AcceptedCanceled' : 'Accepted', filename };
  }

  private async run(job: Job, request: T.GetLogRequest, filename: string): Promise<void> {
    const { requestId } = job;
    await this.notify({ status: 'Uploading', requestId });
    let status: T.UploadLogStatusEnumType = 'Uploaded';
    try {
      await withRetries(this.deps, job, request.retries ?? 0, request.retryInterval ?? 0, () =>
        this.deps.uploadFails ? Promise.reject(new TransferError('Failed', 'told to fail the upload')) : this.deps.transfer.upload(request.log.remoteLocation, filename, diagnosticsFile(request.logType, this.deps.now())),
      );
    } catch (err) {
      const failure = failureOf(err);
      status = failure === 'Failed' ? 'UploadFailure' : failure;
    }
    // As the 1.6 simulator does: the file is in before the charger says so.
    await this.deps.wait(this.deps.stepMs);
    if (job.cancelled) return;
    this.current = null;
    await this.notify({ status, requestId });
  }
}

export interface FirmwareDeps extends TransferDeps {
  /** Runs `install` once no transaction runs. */
  installWhenIdle(install: () => void): void;
  /** Reboots with reason FirmwareUpdate, into the image downloaded (null: a simulated transfer, the same version). */
  reboot(image: DownloadedImage | null): void;
  /** Where it is told to fail. */
  failure?: FirmwareFailure;
  securityEvent(type: 'InvalidFirmwareSignature' | 'InvalidFirmwareSigningCertificate' | 'FirmwareUpdated'): void;
}

const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class FirmwareUpdates {
  private current: Job | null = null;
  private status: T.FirmwareStatusEnumType = 'Idle';

  constructor(
    private readonly deps: FirmwareDeps,
    private readonly notify: (request: T.FirmwareStatusNotificationRequest) => Promise<unknown>,
  ) {}

  /** F06.FR.16: Idle unless an update is under way. */
  get triggered(): T.FirmwareStatusNotificationRequest {
    return this.current ? { status: this.status, requestId: this.current.requestId } : { status: 'Idle' };
  }

  /** B11.FR.06: a reset must not cut an installation short. */
  get installing(): boolean {
    return this.status === 'Installing' || this.status === 'InstallRebooting';
  }

  start(request: T.UpdateFirmwareRequest, afterReply: (fn: () => Promise<void>) => void): T.UpdateFirmwareResponse {
    const { signingCertificate } = request.firmware;
    if (signingCertificate !== undefined && !PEM_CERTIFICATE.test(signingCertificate)) {
      this.deps.securityEvent('InvalidFirmwareSigningCertificate');
      return { status: 'InvalidCertificate' };
    }
    if (this.installing) return { status: 'Rejected', statusInfo: { reasonCode: 'FwUpdateInProgress' } };
    const previous = this.current;
    if (previous) previous.cancelled = true;
    const job: Job = { requestId: request.requestId, cancelled: false };
    this.current = job;
    afterReply(() => this.run(job, request));
    return { status: previous ? 'AcceptedCanceled' : 'Accepted' };
  }

  /** After every boot: the bootloader installed the firmware it rebooted for. */
  async booted(): Promise<void> {
    const job = this.current;
    if (this.status !== 'InstallRebooting' || !job) return;
    await this.report(job, 'Installing');
    await this.deps.wait(this.deps.stepMs);
    this.deps.securityEvent('FirmwareUpdated');
    await this.finish(job, 'Installed');
  }

  private async run(job: Job, request: T.UpdateFirmwareRequest): Promise<void> {
    const { firmware } = request;
    if (!(await this.waitFor(job, firmware.retrieveDateTime, 'DownloadScheduled'))) return;
    await this.report(job, 'Downloading');
    let image: DownloadedImage | null = null;
    try {
      if (this.deps.failure === 'download') throw new TransferError('Failed', 'told to fail the download');
      await withRetries(this.deps, job, request.retries ?? 0, request.retryInterval ?? 0, async () => {
        image = await this.deps.transfer.download(firmware.location);
      });
    } catch {
      await this.deps.wait(this.deps.stepMs);
      await this.finish(job, 'DownloadFailed');
      return;
    }
    const got = image as DownloadedImage | null;
    if (got) this.deps.log(`firmware downloaded: ${got.size} bytes in ${got.requests} request(s)`);
    await this.deps.wait(this.deps.stepMs);
    await this.report(job, 'Downloaded');
    if (firmware.signature !== undefined || this.deps.failure === 'signature') {
      await this.deps.wait(this.deps.stepMs);
      if (this.deps.failure === 'signature' || !BASE64.test(firmware.signature ?? '')) {
        this.deps.securityEvent('InvalidFirmwareSignature');
        await this.finish(job, 'InvalidSignature');
        return;
      }
      await this.report(job, 'SignatureVerified');
    }
    if (!(await this.waitFor(job, firmware.installDateTime, 'InstallScheduled'))) return;
    await this.deps.wait(this.deps.stepMs);
    if (this.deps.failure === 'install') {
      await this.report(job, 'Installing');
      await this.deps.wait(this.deps.stepMs);
      await this.finish(job, 'InstallationFailed');
      return;
    }
    // L01.FR.15 order: InstallRebooting, the reboot, then Installing and Installed.
    this.deps.installWhenIdle(() => {
      if (job.cancelled) return;
      void this.report(job, 'InstallRebooting').then(() => this.deps.reboot(image));
    });
  }

  /** Waits until `at` (reporting `scheduled` if that is later); false if cancelled meanwhile. */
  private async waitFor(job: Job, at: string | undefined, scheduled: T.FirmwareStatusEnumType): Promise<boolean> {
    const delay = at === undefined ? 0 : Date.parse(at) - this.deps.now().getTime();
    if (delay > 0) {
      await this.report(job, scheduled);
      await this.deps.wait(delay);
    }
    return !job.cancelled;
  }

  private async report(job: Job, status: T.FirmwareStatusEnumType): Promise<void> {
    if (job.cancelled) return;
    this.status = status;
    await this.notify({ status, requestId: job.requestId });
  }

  private async finish(job: Job, status: T.FirmwareStatusEnumType): Promise<void> {
    await this.report(job, status);
    if (this.current === job) {
      this.current = null;
      this.status = 'Idle';
    }
  }
}
