import { AckPolicy, DeliverPolicy, jetstream, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { compileEventFilter, type CloudEventLike, type EventFilter } from '@odt/event-filter';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { DeadLetters } from './dead-letters';
import type { DeliveryTarget } from './delivery-target';

/** Sends one event to one endpoint; throws when the endpoint did not take it. */
export type Deliver = (target: DeliveryTarget, event: DigitalTwinsEvent, raw: Uint8Array) => Promise<void>;

const SECOND_NS = 1_000_000_000;

export type DeliveryOutcome = 'delivered' | 'failed' | 'deadlettered' | 'abandoned';

/**
 * One endpoint's delivery: its own durable consumer of the events stream (so a slow or dead
 * endpoint delays no other), one event in flight at a time (so per-twin order holds), an event
 * acknowledged only once delivered or filtered out, and a failed delivery retried with backoff.
 */
export class EndpointWorker {
  private filters: EventFilter[] = [];
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;

  constructor(
    private target: DeliveryTarget,
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly deliver: Deliver,
    private readonly deadLetters: DeadLetters,
    private readonly logger: Logger,
    private readonly count: (endpoint: string, outcome: DeliveryOutcome) => void = () => undefined,
  ) {}

  get kind(): string {
    return this.target.endpoint.endpointType;
  }

  /** The routes' filters changed (or the endpoint's settings): applies to the next event. */
  update(target: DeliveryTarget, filters: string[]): void {
    this.target = target;
    this.filters = filters.map((f) => compileEventFilter(f));
  }

  async start(jsm: JetStreamManager): Promise<void> {
    const durable = consumerName(this.target.endpoint.name);
    await jsm.consumers.info(this.stream, durable).catch(() =>
      jsm.consumers.add(this.stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        // An endpoint receives what happens after it is first routed to, not the stream's history.
        deliver_policy: DeliverPolicy.New,
        max_ack_pending: 1,
        ack_wait: 30 * SECOND_NS,
        max_deliver: -1,
      }),
    );
    const consumer = await jetstream(this.nc).consumers.get(this.stream, durable);
    this.messages = await consumer.consume({ max_messages: 64 });
    this.loop = this.run(this.messages);
  }

  async stop(): Promise<void> {
    await this.messages?.close();
    await this.loop;
  }

  /** Retry with exponential backoff and jitter; past the attempts or the time-to-live, dead-letter it. */
  private async failed(msg: JsMsg, event: DigitalTwinsEvent, reason: string): Promise<void> {
    const { endpoint } = this.target;
    const attempts = msg.info.deliveryCount;
    const ageSeconds = (Date.now() - Date.parse(event.time)) / 1000;
    const exhausted = attempts >= (endpoint.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) || ageSeconds > (endpoint.retry?.ttlSeconds ?? DEFAULT_TTL_SECONDS);
    this.count(endpoint.name, 'failed');
    if (!exhausted) {
      // Whole milliseconds: the server ignores a NAK delay that is not a whole number of nanoseconds
      // and redelivers at once, which would spend every attempt within milliseconds.
      const delayMs = Math.round(Math.min(60_000, 500 * 2 ** Math.min(attempts - 1, 7)) * (0.5 + Math.random()));
      this.logger.warn({ err: reason, endpoint: endpoint.name, eventId: event.id, attempts, delayMs }, 'delivery failed; will retry');
      msg.nak(delayMs);
      return;
    }
    if (endpoint.deadLetter?.enabled === false) {
      this.logger.error({ err: reason, endpoint: endpoint.name, eventId: event.id, attempts }, 'delivery abandoned; dead-lettering is off for this endpoint');
      this.count(endpoint.name, 'abandoned');
      msg.term();
      return;
    }
    try {
      await this.deadLetters.add(endpoint.name, event, reason, attempts);
      this.count(endpoint.name, 'deadlettered');
      this.logger.warn({ err: reason, endpoint: endpoint.name, eventId: event.id, attempts }, 'event dead-lettered');
      msg.term();
    } catch (err) {
      // The dead-letter stream is out of reach: keep the event and try it all again later.
      this.logger.error({ err: (err as Error).message, endpoint: endpoint.name, eventId: event.id }, 'dead-lettering failed; will retry');
      msg.nak(60_000);
    }
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      let event: DigitalTwinsEvent;
      try {
        event = msg.json<DigitalTwinsEvent>();
      } catch {
        msg.term();
        continue;
      }
      if (!this.filters.some((matches) => matches(event as unknown as CloudEventLike))) {
        msg.ack();
        continue;
      }
      try {
        await this.deliver(this.target, event, msg.data);
        msg.ack();
        this.count(this.target.endpoint.name, 'delivered');
      } catch (err) {
        await this.failed(msg, event, (err as Error).message);
      }
    }
  }
}

/** Event Grid's defaults for the next hop: 30 attempts, 24 hours. */
export const DEFAULT_MAX_ATTEMPTS = 30;
export const DEFAULT_TTL_SECONDS = 24 * 3600;

/** JetStream consumer names allow `A-Z a-z 0-9 - _`, as endpoint names do. */
export const consumerName = (endpoint: string): string => `endpoint-${endpoint}`;
