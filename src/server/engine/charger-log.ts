import type { LogLevel } from '../../api/contract.js';
import type { EventTopic } from '../store/charge-point-events.js';
import type { Store } from '../store/store.js';

/** Writes to a charge point's own log (durably, and into the outbox): one writer per topic. */
export const chargerLog =
  (store: Store, topic: EventTopic) =>
  (chargePointId: string, ref: string, level: LogLevel, message: string): void => {
    store.write(() => store.events.append(chargePointId, level, topic, ref, message));
  };
