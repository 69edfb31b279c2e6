import type { OcppVersion } from '../../../ocpp/csms/charge-point.js';
import type { ProtocolAdapter } from './adapter.js';
import { ocpp16Adapter } from './ocpp16.js';
import { ocpp201Adapter } from './ocpp201.js';

const ADAPTERS: Record<OcppVersion, ProtocolAdapter> = { '1.6': ocpp16Adapter, '2.0.1': ocpp201Adapter };

export const adapterFor = (version: OcppVersion): ProtocolAdapter => ADAPTERS[version];

/** A stored subprotocol name as a version; 1.6 when there is none yet. */
export const versionOf = (protocol: string | null | undefined): OcppVersion => (protocol === 'ocpp2.0.1' ? '2.0.1' : '1.6');
