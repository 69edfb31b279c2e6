/**
 * Outgoing calls of one connection. OCPP-J (1.6 §4.1.1) allows one CALL in flight per direction:
 * the next waits until the previous is answered or has timed out.
 */
export interface QueuedCall {
  id: string;
  action: string;
  payload: unknown;
  text: string;
  timeoutMs: number;
  resolve(payload: unknown): void;
  reject(error: Error): void;
}

export class CallQueue {
  private readonly waiting: QueuedCall[] = [];
  private head = 0;
  inFlight: QueuedCall | null = null;

  constructor(readonly limit: number) {}

  get length(): number {
    return this.waiting.length - this.head;
  }

  push(call: QueuedCall): boolean {
    if (this.length >= this.limit) return false;
    this.waiting.push(call);
    return true;
  }

  /** Takes the next call to send, if none is in flight. */
  next(): QueuedCall | null {
    if (this.inFlight || this.length === 0) return null;
    const call = this.waiting[this.head]!;
    this.head += 1;
    if (this.head > 64 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    this.inFlight = call;
    return call;
  }

  /** Removes every call, in flight or waiting, and returns them. */
  drain(): QueuedCall[] {
    const all = this.waiting.slice(this.head);
    if (this.inFlight) all.unshift(this.inFlight);
    this.waiting.length = 0;
    this.head = 0;
    this.inFlight = null;
    return all;
  }
}
