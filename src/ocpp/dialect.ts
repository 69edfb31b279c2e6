import type { RpcErrorKind } from './errors.js';

/**
 * What differs between OCPP-J versions, kept behind one interface so the RPC layer is version
 * neutral: OCPP 1.6 (ocpp16.ts) and 2.0.1 (ocpp201.ts).
 */
export interface Dialect {
  /** The WebSocket subprotocol, e.g. "ocpp1.6". */
  readonly protocol: string;
  /** Official schemas by name: "<Action>Request" and "<Action>Response". */
  readonly schemas: Readonly<Record<string, unknown>>;
  /** Which actions each role initiates. */
  readonly actionsSentBy: { readonly csms: ReadonlySet<string>; readonly cp: ReadonlySet<string> };
  /** The CALLERROR code for a fault, as this version spells it; null when the version answers nothing. */
  errorCode(kind: RpcErrorKind): string | null;
}

export type Role = 'csms' | 'cp';
