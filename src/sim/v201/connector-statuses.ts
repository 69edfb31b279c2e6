import type * as T from '../../ocpp/ocpp201.js';
import type { Connector, ConnectorStatus, Evses } from './evses.js';

export interface StatusDeps {
  /** Sends a StatusNotification if the station may (`asked`: triggered); null if not sent. */
  send(request: T.StatusNotificationRequest, asked: boolean): Promise<unknown>;
  /** A connector's status changed (the station's `status` event). */
  changed(connector: Connector, status: ConnectorStatus): void;
  now(): string;
}

/**
 * StatusNotification for every connector whose status changed (G01.FR.03-07), and after a boot
 * or an offline period for all of them or for those that changed meanwhile (B01.FR.05, B04).
 * Each connector remembers what the CSMS was last told.
 */
export class ConnectorStatuses {
  private readonly shown = new Map<Connector, ConnectorStatus>();

  constructor(
    private readonly evses: Evses,
    private readonly deps: StatusDeps,
  ) {}

  /** Something may have changed a status: announce and report each change. */
  refresh(): void {
    for (const connector of this.evses.connectors()) {
      const status = this.evses.status(connector);
      if (this.shown.get(connector) === status) continue;
      this.shown.set(connector, status);
      this.deps.changed(connector, status);
      if (connector.reported !== status) void this.report(connector);
    }
  }

  /** Back online: every connector's status, or only those the CSMS does not know yet. */
  resume(all: boolean): void {
    for (const connector of this.evses.connectors()) {
      if (all || connector.reported !== this.evses.status(connector)) void this.report(connector);
    }
  }

  async report(connector: Connector, asked = false): Promise<void> {
    const connectorStatus = this.evses.status(connector);
    connector.reported = connectorStatus;
    const request = { timestamp: this.deps.now(), connectorStatus, evseId: connector.evseId, connectorId: connector.id };
    const sent = await this.deps.send(request, asked);
    if (sent === null && connector.reported === connectorStatus) connector.reported = null;
  }
}
