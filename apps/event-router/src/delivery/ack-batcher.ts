import type { JsMsg } from '@nats-io/jetstream';

/**
 * Acknowledgements made in one turn of the event loop, sent together at the next: the NATS client
 * then writes them to its socket at once, instead of one write (a system call, and on loopback the
 * server's work too) per acknowledgement.
 */
export class AckBatcher {
  private acks: JsMsg[] = [];

  ack(msg: JsMsg): void {
    if (this.acks.push(msg) > 1) return;
    setImmediate(() => this.flush());
  }

  /** Sends what is waiting now (e.g. before stopping). */
  flush(): void {
    const acks = this.acks;
    this.acks = [];
    for (const m of acks) m.ack();
  }
}
