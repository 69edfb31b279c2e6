import { CallError } from '../../../ocpp/errors.js';

export interface StepOutcome {
  status: 'passed' | 'failed';
  detail: string;
}

export const passed = (detail: string): StepOutcome => ({ status: 'passed', detail });
export const failed = (detail: string): StepOutcome => ({ status: 'failed', detail });

/** A call's answer status, or the CALLERROR code when the charge point refused the call itself. */
export async function statusOrCallError(call: Promise<unknown>): Promise<string> {
  try {
    return ((await call) as { status: string }).status;
  } catch (err) {
    if (err instanceof CallError) return `CALLERROR ${err.errorCode}`;
    throw err;
  }
}
