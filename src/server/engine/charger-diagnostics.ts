import { randomInt } from 'node:crypto';
import type { DiagnosticsFetch } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { clip } from '../../common/clip.js';
import { newId } from '../../common/ids.js';
import { isoSeconds } from '../../common/time.js';
import type { AnyChargePoint } from '../../ocpp/csms/charge-point.js';
import type { CsmsServer } from '../../ocpp/csms/server.js';
import { describeError } from '../../ocpp/guarded-emit.js';
import type { SiteFiles } from '../files/site-files.js';
import type { StoredFetch } from '../store/diagnostics-fetches.js';
import type { Store } from '../store/store.js';
import { adapterFor } from './protocol/adapters.js';
import { type TransferKind, type TransferRun, TransferRuns } from './transfer-runs.js';

export interface DiagnosticsSettings {
  /** The largest diagnostics file a charger may upload. */
  maxBytes: number;
  /** How long its upload URL lives, and the fetch waits, before it has failed. */
  timeoutMs: number;
  /** After the charger says Uploaded, how long its file may take to arrive. */
  arrivalWaitMs: number;
}

export const DEFAULT_DIAGNOSTICS_SETTINGS: DiagnosticsSettings = { maxBytes: 64 * 1024 * 1024, timeoutMs: 30 * 60_000, arrivalWaitMs: 10_000 };

interface Run extends TransferRun<StoredFetch> {
  requestId: number;
  uploaded: boolean;
}

const FETCH: TransferKind<StoredFetch> = {
  log: 'diagnostics',
  noun: 'diagnostics fetch',
  url: 'upload',
  idOf: (f) => f.fetch_id,
  save: (store, f) => store.diagnosticsFetches.save(f),
  running: (store) => store.diagnosticsFetches.running(),
  latest: (store, id) => store.diagnosticsFetches.latest(id),
};

/**
 * The charger's own diagnostics, fetched to the laptop: a one-time upload URL in GetDiagnostics
 * (1.6) or GetLog (2.0.1), the status notifications followed to the end, and the file kept in
 * the data directory beside the charge point's latest session. Done when the charger says
 * Uploaded and the file has arrived; each step is in the charge point's own log.
 */
export class ChargerDiagnostics extends TransferRuns<StoredFetch, Run> {
  constructor(
    store: Store,
    csms: CsmsServer,
    private readonly files: SiteFiles,
    private readonly settings: DiagnosticsSettings,
  ) {
    super(store, csms, FETCH);
    csms.on('call', (cp, action, request) => this.onNotification(cp, action, request));
  }

  async start(chargePointId: string): Promise<DiagnosticsFetch> {
    const cp = this.connectedFree(chargePointId);
    const fetch: StoredFetch = {
      fetch_id: newId('diag'),
      charge_point_id: chargePointId,
      session_id: this.store.sessions.latest(chargePointId)?.id ?? null,
      state: 'running',
      status: 'Requested',
      detail: null,
      size: null,
      sha256: null,
      started_at: isoSeconds(),
      finished_at: null,
      path: null,
    };
    const offer = this.files.offerUpload(cp, { maxBytes: this.settings.maxBytes, onStored: (file) => this.onStored(chargePointId, file) }, this.settings.timeoutMs);
    const run: Run = {
      record: fetch,
      offer,
      deadline: this.deadline(chargePointId, this.settings.timeoutMs, (f) => `no diagnostics file from ${chargePointId} within ${this.settings.timeoutMs / 60_000} min (last status ${f.status})`),
      wait: null,
      requestId: randomInt(1, 2 ** 31 - 1),
      uploaded: false,
    };
    this.begin(run);
    const protocol = adapterFor(cp.version).diagnostics;
    this.log(fetch, 'info', `${cp.version === '1.6' ? 'GetDiagnostics' : 'GetLog'}: upload to ${offer.url.replace(/[^/]+$/, '…')} (at most ${this.settings.maxBytes} bytes)`);
    try {
      const asked = await protocol.request(cp, { requestId: run.requestId, location: offer.url });
      if (!asked.ok) this.finish(run, 'failed', asked.detail);
      else if (asked.fileName) this.log(fetch, 'info', `it will send ${clip(asked.fileName, 200)}`);
    } catch (err) {
      this.finish(run, 'failed', `the request failed: ${describeError(err)}`);
    }
    return this.view(fetch);
  }

  latest(chargePointId: string): DiagnosticsFetch {
    return this.view(this.latestRecord(chargePointId));
  }

  /** The stored file of the latest fetch, for the route that hands it out. */
  latestFile(chargePointId: string): string {
    const fetch = this.store.diagnosticsFetches.latest(chargePointId);
    if (!fetch?.path || fetch.state !== 'stored') throw new ApiError('not_found', `no diagnostics file stored for ${chargePointId}`);
    return fetch.path;
  }

  private onNotification(cp: AnyChargePoint, action: string, request: unknown): void {
    const run = this.runs.get(cp.id);
    const protocol = adapterFor(cp.version).diagnostics;
    if (!run || action !== protocol.notification) return;
    const { status, stage, ours } = protocol.read(request, run.requestId);
    if (!ours) return;
    const fetch = run.record;
    fetch.status = status;
    if (stage === 'failed') return this.finish(run, 'failed', `${cp.id} reported ${status}`);
    this.log(fetch, 'info', `${protocol.notification}: ${status}`);
    if (stage === 'idle' && fetch.path === null) return this.finish(run, 'failed', `${cp.id} went Idle without uploading`);
    if (stage !== 'uploaded') return this.save(run);
    run.uploaded = true;
    if (fetch.path !== null) return this.finish(run, 'stored', this.stored(fetch));
    // The notification may come before the last bytes do: they get the whole wait, even when it
    // says Uploaded in the fetch's last seconds.
    clearTimeout(run.deadline);
    this.waitThen(run, this.settings.arrivalWaitMs, () => this.finish(run, 'failed', `${cp.id} reported Uploaded, but no file arrived`));
  }

  private onStored(chargePointId: string, file: { path: string; size: number; sha256: string }): void {
    const run = this.runs.get(chargePointId);
    if (!run) return;
    Object.assign(run.record, { path: file.path, size: file.size, sha256: file.sha256 });
    this.log(run.record, 'info', `file received: ${file.size} bytes, sha256 ${file.sha256}`);
    if (run.uploaded) this.finish(run, 'stored', this.stored(run.record));
    else this.save(run);
  }

  private stored(fetch: StoredFetch): string {
    return `stored ${fetch.size} bytes (sha256 ${fetch.sha256})${fetch.session_id ? ` beside session ${fetch.session_id}` : ''}`;
  }

  protected finish(run: Run, state: 'stored' | 'failed', detail: string): void {
    if (!this.end(run, state, detail)) return;
    this.log(run.record, state === 'stored' ? 'info' : 'error', `Diagnostics ${state === 'stored' ? run.record.detail : `fetch failed: ${run.record.detail}`}`);
  }

  /** The API's view: where the file lies on this laptop is not its business. */
  private view = ({ path: _path, ...rest }: StoredFetch): DiagnosticsFetch => rest;
}
