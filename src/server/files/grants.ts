import { randomBytes } from 'node:crypto';

/** A file a charge point may download, for one firmware update. */
export interface DownloadGrant {
  kind: 'download';
  chargePointId: string;
  path: string;
  size: number;
  /** Sent as Repr-Digest (RFC 9530), so a charger can check what it got. */
  sha256?: string;
  /** Bytes sent so far, over every request of this grant (a resumed download counts once per byte sent). */
  onServed?(bytes: number): void;
}

/** A place a charge point may upload one file to, for one diagnostics or log request. */
export interface UploadGrant {
  kind: 'upload';
  chargePointId: string;
  /** The folder the file lands in; the charger never names a path, at most a file name hint. */
  dir: string;
  maxBytes: number;
  onStored?(file: { path: string; size: number; sha256: string }): void;
}

export type Grant = DownloadGrant | UploadGrant;

interface Entry {
  grant: Grant;
  expiresAt: number;
}

/**
 * The one-time URLs of the file server: a 256-bit random token per grant, valid until it expires
 * or is revoked (the update or upload it was made for is over). Held in memory only: a restart
 * ends every transfer, as it ends the exchanges that asked for them. At most `max` at a time, so
 * no caller can grow it without bound; the oldest gives way.
 */
export class FileGrants {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(grant: Grant, ttlMs: number): string {
    this.sweep();
    while (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    const token = randomBytes(32).toString('base64url');
    this.entries.set(token, { grant, expiresAt: this.now() + ttlMs });
    return token;
  }

  /** The grant of a token still valid; undefined for an unknown, expired or revoked one. */
  get(token: string): Grant | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.grant;
  }

  revoke(token: string): void {
    this.entries.delete(token);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(token);
  }
}
