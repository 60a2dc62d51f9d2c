import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { DeadLettering } from './dead-lettering';
import type { CountDelivery } from './delivery-metrics';
import type { Deliver, DeliveryTarget } from './delivery-target';
import type { HeldEvent } from './held-events';
import { InterruptibleWaits } from './interruptible-waits';
import { afterFailure, DEAD_LETTER_RETRY_MS } from './retry-policy';

export interface RetryingDeliveryDeps {
  deliver: Deliver;
  /** Acknowledges a delivered event in its consumer. */
  ack: (msg: JsMsg) => void;
  deadLettering: DeadLettering;
  logger: Logger;
  count: CountDelivery;
}

/**
 * Delivers one event to the endpoint, trying again after each failure with the retry policy's
 * backoff until it is delivered, or given up on (dead-lettered) once the endpoint's attempts or
 * time-to-live run out. Attempts the server made before this owner received the event count too.
 */
export class RetryingDelivery {
  private readonly waits = new InterruptibleWaits();

  constructor(
    /** The endpoint as last read (its settings may change between events). */
    public target: DeliveryTarget,
    private readonly deps: RetryingDeliveryDeps,
  ) {}

  /** True once delivered or given up on; false when stopped before (the event stays unacknowledged). */
  async deliver({ msg, event }: HeldEvent): Promise<boolean> {
    const { endpoint } = this.target;
    const { logger, count } = this.deps;
    let attempts = msg.info.deliveryCount - 1;
    for (;;) {
      attempts++;
      let reason: string;
      try {
        await this.deps.deliver(this.target, event, msg.data);
        this.deps.ack(msg);
        count(endpoint.name, 'delivered');
        return true;
      } catch (err) {
        reason = (err as Error).message;
      }
      count(endpoint.name, 'failed');
      const next = afterFailure(endpoint.retry, attempts, event.time);
      if (!next.retry) {
        if (await this.deps.deadLettering.giveUp(endpoint, msg, event, reason, attempts)) return true;
        // The dead-letter stream is out of reach: keep the event and try it all again later.
        await this.waits.wait(DEAD_LETTER_RETRY_MS);
      } else {
        logger.warn({ err: reason, endpoint: endpoint.name, eventId: event.id, attempts, delayMs: next.delayMs }, 'delivery failed; will retry');
        await this.waits.wait(next.delayMs);
      }
      if (this.waits.isInterrupted) return false;
    }
  }

  /** No more retries: a wait in progress ends now, and an event whose attempt fails is left. */
  stop(): void {
    this.waits.interrupt();
  }
}
