/**
 * The EVSEs and connectors and what state each is in. The Charging Station, every EVSE and every
 * connector keep their own operative setting (G03 Note 1, G04 Note 1); a connector's status
 * follows from those, from whether an EV is plugged in, and from a pending reset.
 */
import type * as T from '../../ocpp/ocpp201.js';
import { Meter } from '../meter.js';
import type { Transaction } from './transaction.js';

export type ConnectorStatus = T.ConnectorStatusEnumType;

export interface Connector {
  readonly evseId: number;
  readonly id: number;
  operative: boolean;
  plugged: boolean;
  /** The status the CSMS was last told, to send StatusNotification on every change only. */
  reported: ConnectorStatus | null;
}

export interface Evse {
  readonly id: number;
  operative: boolean;
  readonly connectors: Connector[];
  meter: Meter;
  transaction: Transaction | null;
  /** B12 3a: a reset waits for this EVSE's transaction; meanwhile it takes no new one. */
  resetPending: boolean;
}

export class Evses {
  readonly station = { operative: true };
  readonly all: Evse[] = [];

  constructor(
    count: number,
    connectorsPerEvse: number,
    private readonly powerW: number,
    private readonly zeroEnergy: boolean,
  ) {
    for (let id = 1; id <= count; id += 1) {
      const connectors = Array.from({ length: connectorsPerEvse }, (_, i): Connector => ({
        evseId: id,
        id: i + 1,
        operative: true,
        plugged: false,
        reported: null,
      }));
      this.all.push({ id, operative: true, connectors, meter: new Meter(powerW, zeroEnergy), transaction: null, resetPending: false });
    }
  }

  evse(id: number): Evse | undefined {
    return this.all.find((e) => e.id === id);
  }

  connector(evseId: number, connectorId: number): Connector | undefined {
    return this.evse(evseId)?.connectors.find((c) => c.id === connectorId);
  }

  connectors(): Connector[] {
    return this.all.flatMap((e) => e.connectors);
  }

  status(connector: Connector): ConnectorStatus {
    const evse = this.evse(connector.evseId)!;
    if (connector.plugged) return 'Occupied';
    const operative = this.station.operative && evse.operative && connector.operative && !evse.resetPending;
    // Going inoperative waits for the transaction to end (G03.FR.05).
    return operative || evse.transaction ? 'Available' : 'Unavailable';
  }

  evseStatus(evse: Evse): ConnectorStatus {
    const states = evse.connectors.map((c) => this.status(c));
    if (states.includes('Occupied')) return 'Occupied';
    return states.includes('Available') ? 'Available' : 'Unavailable';
  }

  stationStatus(): ConnectorStatus {
    const states = this.all.map((e) => this.evseStatus(e));
    if (states.includes('Available')) return 'Available';
    return states.includes('Occupied') ? 'Occupied' : 'Unavailable';
  }

  /** Energy starts to flow, at most at the EVSE's power cap (EVSE.Power MaxSet). */
  startEnergy(evse: Evse, capW: number): void {
    const powerW = Math.min(this.powerW, capW);
    if (evse.meter.powerW !== powerW) evse.meter = new Meter(powerW, this.zeroEnergy, evse.meter.readWh());
    evse.meter.start();
  }

  /** The EVSE a remote start without evseId gets (F02.FR.22): the first free one. */
  free(): Evse | undefined {
    return this.all.find((e) => !e.transaction && this.evseStatus(e) === 'Available');
  }

  /**
   * ChangeAvailability (G03, G04): station-wide without evse, else the EVSE or one connector.
   * Accepted when already so (G03.FR.03, G04.FR.04), Scheduled while a transaction runs there
   * (G03.FR.05, G04.FR.06); the new setting is kept either way and the status follows when the
   * transaction has ended.
   */
  changeAvailability(request: T.ChangeAvailabilityRequest): T.ChangeAvailabilityResponse {
    const operative = request.operationalStatus === 'Operative';
    const target = request.evse;
    let holder: { operative: boolean };
    let scope: Evse[];
    if (!target) {
      holder = this.station;
      scope = this.all;
    } else {
      const evse = this.evse(target.id);
      const connector = target.connectorId === undefined ? evse : this.connector(target.id, target.connectorId);
      if (!evse || !connector) {
        return { status: 'Rejected', statusInfo: { reasonCode: evse ? 'UnknownConnectorId' : 'UnknownEvse' } };
      }
      holder = connector;
      scope = [evse];
    }
    if (holder.operative === operative) return { status: 'Accepted' };
    holder.operative = operative;
    return scope.some((e) => e.transaction) ? { status: 'Scheduled', statusInfo: { reasonCode: 'TxInProgress' } } : { status: 'Accepted' };
  }
}
