import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ensureEventsStream, NATS_CONNECTION } from '@odt/messaging';
import { Metrics, ROOT_LOGGER } from '@odt/service-kit';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { RoutingRepository } from '../routing/routing.repository';
import type { DeliveryTarget } from './delivery-target';
import { consumerName, EndpointWorker, type Deliver, type DeliveryOutcome } from './endpoint-worker';
import { NatsDelivery } from './nats-delivery';
import { AmqpDelivery } from './amqp-delivery';
import { DeadLetters, type DeadLetter } from './dead-letters';
import { MqttDelivery } from './mqtt-delivery';
import { WebhookDelivery } from './webhook-delivery';

/** How often routes and endpoints are re-read: a changed filter applies within about this long. */
const REFRESH_MS = 500;

/**
 * Keeps one worker per routed endpoint (nats, webhook, MQTT, AMQP), in step with the routes table.
 */
@Injectable()
export class DeliveryManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly workers = new Map<string, EndpointWorker>();
  private readonly deliverers: Partial<Record<string, Deliver>>;
  private readonly mqtt = new MqttDelivery();
  private readonly amqp = new AmqpDelivery();
  readonly deadLetters: DeadLetters;
  private jsm?: JetStreamManager;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private readonly countDelivery: (endpoint: string, outcome: DeliveryOutcome) => void;

  constructor(
    private readonly repo: RoutingRepository,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    const deliveries = metrics.counter('event_deliveries_total', 'Deliveries to endpoints by outcome: delivered, failed (to be retried), deadlettered, abandoned.', ['endpoint', 'outcome']);
    this.countDelivery = (endpoint, outcome) => deliveries.inc({ endpoint, outcome });
    this.deadLetters = new DeadLetters(nc, config.DEADLETTER_STREAM ?? `${config.EVENTS_STREAM}_DEADLETTER`, `${config.EVENTS_SUBJECT_PREFIX}-deadletter`);
    const nats = new NatsDelivery(nc);
    const webhook = new WebhookDelivery();
    this.deliverers = {
      nats: (target, event, raw) => nats.deliver(target, event, raw),
      webhook: (target, event) => webhook.deliver(target, event),
      mqtt: (target, event) => this.mqtt.deliver(target, event),
      amqp: (target, event) => this.amqp.deliver(target, event),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.jsm = await ensureEventsStream(this.nc, this.config.EVENTS_STREAM, this.config.EVENTS_SUBJECT_PREFIX, this.config.EVENTS_STREAM_REPLICAS);
    await this.deadLetters.ensureStream(this.config.EVENTS_STREAM_REPLICAS);
    this.metrics.gauge('event_consumer_pending', 'Events of an endpoint\'s consumer not yet delivered (pending plus in flight): its lag.', ['endpoint'], async (gauge) => {
      gauge.reset();
      await Promise.all([...this.workers.keys()].map(async (name) => {
        const info = await this.jsm?.consumers.info(this.config.EVENTS_STREAM, consumerName(name)).catch(() => undefined);
        if (info) gauge.set({ endpoint: name }, info.num_pending + info.num_ack_pending);
      }));
    });
    await this.refresh();
    this.timer = setInterval(() => {
      this.refreshing ??= this.refresh().catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'routes refresh failed')).finally(() => {
        this.refreshing = undefined;
      });
    }, REFRESH_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await Promise.all([this.mqtt.close(), this.amqp.close()]);
  }

  listDeadLetters(endpoint: string, limit: number): Promise<DeadLetter[]> {
    return this.deadLetters.list(endpoint, limit);
  }

  /** Delivers an endpoint's dead letters again, oldest first, removing each one it delivers; stops at the first failure. */
  async replayDeadLetters(endpoint: string): Promise<{ replayed: number; remaining: number }> {
    const target = await this.repo.deliveryTarget(endpoint);
    const deliver = target && this.deliverers[target.endpoint.endpointType];
    const letters = await this.deadLetters.list(endpoint, 10_000);
    if (!target || !deliver) return { replayed: 0, remaining: letters.length };
    let replayed = 0;
    for (const letter of letters) {
      try {
        await deliver(target, letter.event, Buffer.from(JSON.stringify(letter.event)));
      } catch {
        break;
      }
      await this.deadLetters.remove(letter.sequence);
      replayed++;
    }
    return { replayed, remaining: letters.length - replayed };
  }

  private async refresh(): Promise<void> {
    const routed = await this.repo.routedEndpoints();
    for (const [name, worker] of this.workers) {
      if (!routed.some((r) => r.endpoint.name === name && this.deliverers[r.endpoint.endpointType])) {
        this.workers.delete(name);
        await worker.stop();
      }
    }
    for (const { endpoint, secret, filters } of routed) {
      const deliver = this.deliverers[endpoint.endpointType];
      if (!deliver) continue;
      const target: DeliveryTarget = { endpoint, secret };
      let worker = this.workers.get(endpoint.name);
      if (worker && worker.kind !== endpoint.endpointType) {
        // The endpoint changed kind: its worker's way of delivering no longer applies.
        this.workers.delete(endpoint.name);
        await worker.stop();
        worker = undefined;
      }
      if (!worker) {
        worker = new EndpointWorker(target, this.nc, this.config.EVENTS_STREAM, deliver, this.deadLetters, this.logger, this.countDelivery);
        worker.update(target, filters);
        this.workers.set(endpoint.name, worker);
        await worker.start(this.jsm!);
      } else {
        worker.update(target, filters);
      }
    }
  }
}
