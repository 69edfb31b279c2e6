import { RpcViolation } from '../../ocpp/errors.js';
import type { DeviceModel } from './device-model.js';

export type LimitedMessage = 'GetReport' | 'GetVariables' | 'SetVariables';

/**
 * DeviceDataCtrlr.ItemsPerMessage and BytesPerMessage for a request the CSMS sent. Over either
 * limit, the request is refused whole with the CALLERROR the spec gives: OccurrenceConstraint-
 * Violation for too many items, FormatViolation for too many bytes (B06.FR.16/17 for
 * GetVariables, B08.FR.17/18 for GetReport; SetVariables follows the same rule). The size is
 * that of the CALL frame as JSON text, rebuilt from what was received.
 */
export function enforceMessageLimits(
  model: DeviceModel,
  message: LimitedMessage,
  frame: { id: string; payload: unknown },
  items: number,
): void {
  const maxItems = model.int('DeviceDataCtrlr', 'ItemsPerMessage', message);
  if (maxItems > 0 && items > maxItems) {
    throw new RpcViolation('OccurrenceConstraintViolation', `${message} has ${items} items; ItemsPerMessage${message} is ${maxItems}`);
  }
  const maxBytes = model.int('DeviceDataCtrlr', 'BytesPerMessage', message);
  const bytes = Buffer.byteLength(JSON.stringify([2, frame.id, message, frame.payload]));
  if (maxBytes > 0 && bytes > maxBytes) {
    // The dialect spells this FormatViolation on the 2.0.1 wire.
    throw new RpcViolation('FormatViolation', `${message} is ${bytes} bytes; BytesPerMessage${message} is ${maxBytes}`);
  }
}
