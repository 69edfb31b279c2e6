import type * as T from '../../ocpp/ocpp201.js';
import { ConnectionClosedError } from '../../ocpp/errors.js';

export interface DeliveryPolicy {
  /** OCPPCommCtrlr.MessageAttempts[TransactionEvent]. */
  attempts: number;
  /** OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent], in seconds. */
  intervalS: number;
}

export interface QueueDeps {
  deliver(request: T.TransactionEventRequest): Promise<T.TransactionEventResponse>;
  policy(): DeliveryPolicy;
  delivered(request: T.TransactionEventRequest, response: T.TransactionEventResponse): void;
  later(ms: number, fn: () => void): void;
  log(line: string): void;
}

/**
 * Transaction-related messages, delivered one at a time in the order they happened. While the
 * station is offline they wait, marked `offline` (E04, E08, B12.FR.05); a message the CSMS fails
 * to process is sent again after MessageAttemptInterval times the attempts so far, and dropped
 * after MessageAttempts (E13.FR.02-04).
 */
export class TransactionQueue {
  private readonly waiting: { request: T.TransactionEventRequest; attempts: number }[] = [];
  private online = false;
  private draining = false;

  constructor(private readonly deps: QueueDeps) {}

  push(request: T.TransactionEventRequest): void {
    this.waiting.push({ request: this.online ? request : { ...request, offline: true }, attempts: 0 });
    void this.drain();
  }

  /** E14: whether messages of this transaction (or of any, without an id) still wait. */
  holds(transactionId?: string): boolean {
    return this.waiting.some((w) => transactionId === undefined || w.request.transactionInfo.transactionId === transactionId);
  }

  /** Resolves once nothing waits (or after `timeoutMs`): before a reboot, Ended goes out first (B12.FR.04). */
  async drained(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.online && this.waiting.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  goOnline(): void {
    this.online = true;
    void this.drain();
  }

  goOffline(): void {
    this.online = false;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.online && this.waiting.length > 0) {
        const head = this.waiting[0]!;
        head.attempts += 1;
        try {
          const response = await this.deps.deliver(head.request);
          this.waiting.shift();
          this.deps.delivered(head.request, response);
        } catch (err) {
          if (err instanceof ConnectionClosedError) {
            head.attempts -= 1;
            this.online = false;
            return;
          }
          if (!(await this.retryLater(head, err as Error))) this.waiting.shift();
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Waits before the next attempt; false when the message is to be dropped. */
  private retryLater(head: { request: T.TransactionEventRequest; attempts: number }, err: Error): Promise<boolean> {
    const { attempts, intervalS } = this.deps.policy();
    const what = `TransactionEvent ${head.request.eventType} seqNo ${head.request.seqNo}`;
    if (head.attempts >= attempts) {
      this.deps.log(`${what} dropped after ${head.attempts} attempts: ${err.message}`);
      return Promise.resolve(false);
    }
    this.deps.log(`${what} not processed (${err.message}); retrying in ${intervalS * head.attempts} s`);
    return new Promise((resolve) => this.deps.later(intervalS * head.attempts * 1000, () => resolve(true)));
  }
}
