import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { AnyChargePoint } from '../../ocpp/csms/charge-point.js';
import { FileServer, type FileServerLimits, DEFAULT_FILE_SERVER_LIMITS, FILES_PREFIX } from './file-server.js';
import { FileGrants, type DownloadGrant, type UploadGrant } from './grants.js';

export interface Offer {
  url: string;
  /** Ends the URL now (the update or upload it was for is over). */
  revoke(): void;
}

/**
 * The laptop as the site's file server: the one-time URLs the engine gives charge points, built
 * from the address each charger itself connected to (the one it can reach), on the OCPP port.
 */
export class SiteFiles {
  readonly grants = new FileGrants();
  readonly server: FileServer;

  constructor(
    readonly dataDir: string,
    private readonly endpoint: { scheme: 'http' | 'https'; port: () => number; fallbackHost: string },
    limits: Partial<FileServerLimits> = {},
    onError?: (err: unknown) => void,
  ) {
    this.server = new FileServer(this.grants, { ...DEFAULT_FILE_SERVER_LIMITS, ...limits }, onError);
  }

  /** Firmware images the installer uploaded, and the files chargers uploaded, per charge point. */
  get firmwareDir(): string {
    return join(this.dataDir, 'files', 'firmware');
  }

  uploadsDir(chargePointId: string): string {
    // Ids are printable ASCII (they may hold / or ..): hex keeps each one to a folder of its own.
    return join(this.dataDir, 'files', 'charge-points', Buffer.from(chargePointId).toString('hex'));
  }

  /** For the OCPP listener: answers requests under /files/, leaves the rest. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!FileServer.handles(req)) return false;
    this.server.handle(req, res);
    return true;
  };

  offerDownload(cp: AnyChargePoint, grant: Omit<DownloadGrant, 'kind' | 'chargePointId'>, ttlMs: number): Offer {
    const token = this.grants.add({ kind: 'download', chargePointId: cp.id, ...grant }, ttlMs);
    return { url: `${this.base(cp)}${token}`, revoke: () => this.grants.revoke(token) };
  }

  offerUpload(cp: AnyChargePoint, grant: Omit<UploadGrant, 'kind' | 'chargePointId' | 'dir'>, ttlMs: number): Offer {
    const token = this.grants.add({ kind: 'upload', chargePointId: cp.id, dir: this.uploadsDir(cp.id), ...grant }, ttlMs);
    return { url: `${this.base(cp)}${token}`, revoke: () => this.grants.revoke(token) };
  }

  private base(cp: AnyChargePoint): string {
    const address = (cp.localAddress ?? '').replace(/^::ffff:/, '') || this.endpoint.fallbackHost;
    const host = address.includes(':') ? `[${address}]` : address;
    return `${this.endpoint.scheme}://${host}:${this.endpoint.port()}${FILES_PREFIX}`;
  }
}
