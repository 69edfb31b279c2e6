import type { EventEmitter } from 'node:events';

/**
 * Emits an event whose listeners are not this library's to trust. A listener that throws (a
 * full disk under a logger, a bug in a step) is handed to `onFault` instead of unwinding into
 * the socket code that emitted: one frame or one connection must never end the process.
 */
export function emitGuarded(emitter: EventEmitter, onFault: (err: unknown, event: string) => void, event: string, ...args: unknown[]): void {
  try {
    emitter.emit(event, ...args);
  } catch (err) {
    try {
      onFault(err, event);
    } catch {
      // The fault handler failed too: nothing is left to tell, and the connection goes on.
    }
  }
}

export const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err));
