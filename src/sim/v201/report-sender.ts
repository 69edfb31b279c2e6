import type * as T from '../../ocpp/ocpp201.js';
import type { DeviceModel, VariableSpec } from './device-model.js';
import { pages, reportEntry } from './reports.js';

export interface ReportDeps {
  model: DeviceModel;
  /** Sends one part; null when it could not be sent. */
  send(request: T.NotifyReportRequest): Promise<unknown>;
  afterReply(fn: () => Promise<void>): void;
  now(): string;
}

/** Answers a report request (B07, B08) and sends the report in NotifyReport parts. */
export class ReportSender {
  private busy = false;

  constructor(private readonly deps: ReportDeps) {}

  /** Rejected while a report is still being sent (B07.FR.13, B08.FR.16); EmptyResultSet for nothing (B08.FR.15). */
  start(requestId: number, specs: VariableSpec[]): T.GetBaseReportResponse {
    if (this.busy) return { status: 'Rejected', statusInfo: { reasonCode: 'Unspecified', additionalInfo: 'a report is being sent' } };
    if (specs.length === 0) return { status: 'EmptyResultSet' };
    this.busy = true;
    this.deps.afterReply(() => this.send(requestId, specs));
    return { status: 'Accepted' };
  }

  private async send(requestId: number, specs: VariableSpec[]): Promise<void> {
    const { model } = this.deps;
    try {
      const valueSize = model.int('DeviceDataCtrlr', 'ReportingValueSize') || 2500;
      const entries = specs.map((spec) => reportEntry(model, spec, valueSize));
      const parts = pages(entries, model.int('DeviceDataCtrlr', 'ItemsPerMessage', 'GetReport'), model.int('DeviceDataCtrlr', 'BytesPerMessage', 'GetReport'));
      const generatedAt = this.deps.now();
      for (const [seqNo, reportData] of parts.entries()) {
        const tbc = seqNo < parts.length - 1;
        // Done once the last part is on its way: a new request may follow at once.
        if (!tbc) this.busy = false;
        // B07.FR.10, B08.FR.14: seqNo from 0; tbc until the last part.
        if ((await this.deps.send({ requestId, generatedAt, seqNo, tbc, reportData })) === null) break;
      }
    } finally {
      this.busy = false;
    }
  }
}
