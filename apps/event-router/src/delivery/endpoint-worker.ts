import { jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { compileEventFilter, type CloudEventLike, type EventFilter } from '@odt/event-filter';
import { publishBatcher } from '@odt/messaging';
import type { Logger } from 'pino';
import type { DeadLettering } from './dead-lettering';
import type { CountDelivery } from './delivery-metrics';
import type { Deliver, DeliveryTarget } from './delivery-target';
import type { EndpointConsumers } from './endpoint-consumers';
import { HeldEvents, type HeldEvent } from './held-events';
import { RetryingDelivery } from './retrying-delivery';
import { laneOf, TwinLanes } from './twin-lanes';

/** The server redelivers an event unacknowledged this long; a held event is marked in progress well before. */
const ACK_WAIT_MS = 30_000;
const IN_PROGRESS_EVERY_MS = 10_000;
/** How long a stopping worker lets queued events finish before leaving them to the next owner. */
const DRAIN_MS = 5_000;

export interface WorkerLimits {
  /** Twins whose events are being delivered at the same time. */
  concurrency: number;
  /** Events received and not yet acknowledged (the consumer's `max_ack_pending`). */
  maxPending: number;
}

/** What a worker uses, shared by the workers of a replica (the delivery manager owns them). */
export interface WorkerDeps {
  nc: NatsConnection;
  consumers: EndpointConsumers;
  deliver: Deliver;
  deadLettering: DeadLettering;
  logger: Logger;
  count: CountDelivery;
  limits: WorkerLimits;
}

/**
 * One endpoint's delivery, run by the one router replica that holds the endpoint's lease (see
 * `EndpointLeases`), from the endpoint's own durable consumer (`EndpointConsumers`), so a slow or
 * dead endpoint delays no other. Events the routes select go to per-twin lanes (`TwinLanes`),
 * each delivered with retries (`RetryingDelivery`); an event is acknowledged once delivered,
 * dead-lettered, or selected by no route.
 */
export class EndpointWorker {
  private filters: EventFilter[] = [];
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private highestSeq = 0;
  private readonly held = new HeldEvents(IN_PROGRESS_EVERY_MS);
  private readonly delivery: RetryingDelivery;
  private readonly lanes: TwinLanes<HeldEvent>;

  constructor(target: DeliveryTarget, private readonly deps: WorkerDeps) {
    const { deliver, deadLettering, logger, count } = deps;
    this.delivery = new RetryingDelivery(target, { deliver, deadLettering, logger, count, ack: (msg) => this.ack(msg) });
    this.lanes = new TwinLanes<HeldEvent>(deps.limits.concurrency, (item) => this.delivery.deliver(item), (item) => this.held.delete(item));
  }

  get kind(): string {
    return this.delivery.target.endpoint.endpointType;
  }

  /** The routes' filters changed (or the endpoint's settings): applies to the next event. */
  update(target: DeliveryTarget, filters: string[]): void {
    this.delivery.target = target;
    this.filters = filters.map((f) => compileEventFilter(f));
  }

  async start(): Promise<void> {
    const { consumers, limits, nc } = this.deps;
    const durable = await consumers.prepare(this.delivery.target.endpoint.name, { maxPending: limits.maxPending, ackWaitNs: ACK_WAIT_MS * 1_000_000 });
    const consumer = await jetstream(nc).consumers.get(consumers.stream, durable);
    this.messages = await consumer.consume({ max_messages: Math.min(512, limits.maxPending) });
    this.loop = this.run(this.messages);
    this.held.start();
  }

  /**
   * Stops taking events and lets the lanes deliver what they hold, for a few seconds and without
   * retrying: what is left stays unacknowledged, for the next owner.
   */
  async stop(): Promise<void> {
    this.delivery.stop();
    await this.messages?.close();
    await this.loop;
    const timer = setTimeout(() => this.lanes.stop(), DRAIN_MS);
    await this.lanes.settled();
    clearTimeout(timer);
    this.held.stop();
    // Our acknowledgements reach the server before the lease goes to another replica.
    publishBatcher(this.deps.nc).flush();
    await this.deps.nc.flush().catch(() => undefined);
  }

  /** Sent with the turn's other publishes: one socket write for all of them. */
  private ack(msg: JsMsg): void {
    publishBatcher(this.deps.nc).later(() => msg.ack());
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (msg.seq <= this.highestSeq) {
        // Redelivered: held here already, or handled (its acknowledgement was lost).
        if (!this.held.has(msg.seq)) this.ack(msg);
        continue;
      }
      this.highestSeq = msg.seq;
      let event: DigitalTwinsEvent;
      try {
        event = msg.json<DigitalTwinsEvent>();
      } catch {
        msg.term();
        continue;
      }
      if (!this.filters.some((matches) => matches(event as unknown as CloudEventLike))) {
        this.ack(msg);
        continue;
      }
      const item: HeldEvent = { msg, event, since: Date.now() };
      this.held.add(item);
      this.lanes.add(laneOf(event), item);
    }
  }
}
