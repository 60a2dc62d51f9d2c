import type { JsMsg } from '@nats-io/jetstream';
import type { DigitalTwinsEvent, Endpoint } from '@odt/contracts';
import type { Logger } from 'pino';
import type { DeadLetters } from './dead-letters';
import type { CountDelivery } from './delivery-metrics';

/**
 * Gives up on an event an endpoint did not take within its attempts or time-to-live: keeps it in
 * the dead-letter stream (unless the endpoint turned dead-lettering off) and terminates it in the
 * endpoint's consumer, so the server never sends it again.
 */
export class DeadLettering {
  constructor(
    private readonly deadLetters: DeadLetters,
    private readonly logger: Logger,
    private readonly count: CountDelivery,
  ) {}

  /** False when the dead-letter stream was out of reach: the event is kept, to be tried again later. */
  async giveUp(endpoint: Endpoint, msg: JsMsg, event: DigitalTwinsEvent, reason: string, attempts: number): Promise<boolean> {
    const context = { err: reason, endpoint: endpoint.name, eventId: event.id, attempts };
    if (endpoint.deadLetter?.enabled === false) {
      this.logger.error(context, 'delivery abandoned; dead-lettering is off for this endpoint');
      this.count(endpoint.name, 'abandoned');
      msg.term();
      return true;
    }
    try {
      await this.deadLetters.add(endpoint.name, event, reason, attempts);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, endpoint: endpoint.name, eventId: event.id }, 'dead-lettering failed; will retry');
      return false;
    }
    this.count(endpoint.name, 'deadlettered');
    this.logger.warn(context, 'event dead-lettered');
    msg.term();
    return true;
  }
}
