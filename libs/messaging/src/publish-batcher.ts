import type { NatsConnection, PublishOptions } from '@nats-io/transport-node';

interface Outgoing {
  send: () => void;
  failed?: (err: Error) => void;
}

/**
 * Publishes made in one turn of the event loop, handed to the NATS client together at the end of
 * it (`setImmediate`), so that the client writes them to its socket at once. The client writes on
 * its own after each microtask burst, which under load is once per request: a system call each
 * (and, on loopback, the server's wake-up too), the largest CPU cost of a request here. The delay
 * is the rest of the current turn.
 */
export class PublishBatcher {
  private queue: Outgoing[] = [];

  constructor(private readonly nc: NatsConnection) {}

  /** `failed` hears of a message the client refused (closed connection, payload too large). */
  publish(subject: string, data: Uint8Array | string, options?: Partial<PublishOptions>, failed?: (err: Error) => void): void {
    this.later(() => this.nc.publish(subject, data, options), failed);
  }

  /**
   * Anything else that publishes on the connection, run with the batch: a JetStream acknowledgement
   * (`() => msg.ack()`), a JetStream publish. `failed` hears of what it throws.
   */
  later(send: () => void, failed?: (err: Error) => void): void {
    if (this.queue.push({ send, failed }) === 1) setImmediate(() => this.flush());
  }

  /** Hands over what is waiting now (before a shutdown drains the connection, say). */
  flush(): void {
    const queue = this.queue;
    this.queue = [];
    for (const out of queue) {
      try {
        out.send();
      } catch (err) {
        out.failed?.(err as Error);
      }
    }
  }
}

const batchers = new WeakMap<NatsConnection, PublishBatcher>();

/** The connection's one batcher: everything a process publishes on it goes out together. */
export function publishBatcher(nc: NatsConnection): PublishBatcher {
  let batcher = batchers.get(nc);
  if (!batcher) {
    batcher = new PublishBatcher(nc);
    batchers.set(nc, batcher);
  }
  return batcher;
}
