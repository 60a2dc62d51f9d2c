import type { JsMsg } from '@nats-io/jetstream';
import type { DigitalTwinsEvent } from '@odt/contracts';

/** An event a worker has received and not yet acknowledged. */
export interface HeldEvent {
  msg: JsMsg;
  event: DigitalTwinsEvent;
  /** When it was received (ms). */
  since: number;
}

/**
 * The events a worker holds, by stream sequence. The server sends an event again when it stays
 * unacknowledged for the consumer's ack wait; one held longer than `inProgressEveryMs` is marked
 * in progress every `inProgressEveryMs`, well within that wait, so it is not.
 */
export class HeldEvents {
  private readonly held = new Map<number, HeldEvent>();
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly inProgressEveryMs: number) {}

  add(item: HeldEvent): void {
    this.held.set(item.msg.seq, item);
  }

  has(seq: number): boolean {
    return this.held.has(seq);
  }

  delete(item: HeldEvent): void {
    this.held.delete(item.msg.seq);
  }

  start(): void {
    this.heartbeat = setInterval(() => this.markInProgress(Date.now()), this.inProgressEveryMs);
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }

  private markInProgress(now: number): void {
    const before = now - this.inProgressEveryMs;
    for (const item of this.held.values()) if (item.since < before) item.msg.working();
  }
}
