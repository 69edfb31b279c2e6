import type { RpcErrorKind } from './errors.js';

/**
 * What differs between OCPP-J versions, kept behind one interface so the RPC layer is version
 * neutral. Only 1.6 exists today; 2.0.1 plugs in here.
 */
export interface Dialect {
  /** The WebSocket subprotocol, e.g. "ocpp1.6". */
  readonly protocol: string;
  /** Official schemas by name: "<Action>Request" and "<Action>Response". */
  readonly schemas: Readonly<Record<string, unknown>>;
  /** Which actions each role initiates. */
  readonly actionsSentBy: { readonly csms: ReadonlySet<string>; readonly cp: ReadonlySet<string> };
  /** The CALLERROR code as this version spells it. */
  errorCode(kind: RpcErrorKind): string;
}

export type Role = 'csms' | 'cp';
