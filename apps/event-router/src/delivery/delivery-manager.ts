import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ensureEventsStream, NATS_CONNECTION } from '@odt/messaging';
import { Metrics, ROOT_LOGGER } from '@odt/service-kit';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { RoutingRepository } from '../routing/routing.repository';
import type { DeliveryTarget } from './delivery-target';
import { EndpointLeases } from './endpoint-leases';
import { consumerName, EndpointWorker, type Deliver, type DeliveryOutcome } from './endpoint-worker';
import { NatsDelivery } from './nats-delivery';
import { AmqpDelivery } from './amqp-delivery';
import { DeadLetters, type DeadLetter } from './dead-letters';
import { MqttDelivery } from './mqtt-delivery';
import { WebhookDelivery } from './webhook-delivery';

/** How often routes and endpoints are re-read: a changed filter applies within about this long. */
const REFRESH_MS = 500;

/**
 * Keeps one worker per routed endpoint (nats, webhook, MQTT, AMQP) that this replica holds the lease
 * of, in step with the routes table. Replicas share the endpoints: each takes at most its fair share
 * (endpoints / live replicas, rounded up) and gives back what is over it, so a new replica gets work
 * and a crashed one's endpoints are taken over within a refresh.
 */
@Injectable()
export class DeliveryManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly workers = new Map<string, EndpointWorker>();
  private readonly deliverers: Partial<Record<string, Deliver>>;
  private readonly mqtt = new MqttDelivery();
  private readonly amqp = new AmqpDelivery();
  private readonly webhook = new WebhookDelivery();
  readonly deadLetters: DeadLetters;
  private jsm?: JetStreamManager;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private readonly countDelivery: (endpoint: string, outcome: DeliveryOutcome) => void;
  private readonly leases: EndpointLeases;
  /** Set when the workers must be restarted: the lease connection or the NATS connection was lost. */
  private restartAll = false;

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
    this.leases = new EndpointLeases(config.DATABASE_URL, config.EVENTS_STREAM, logger, () => {
      this.restartAll = true;
    });
    const nats = new NatsDelivery(nc);
    this.deliverers = {
      nats: (target, event, raw) => nats.deliver(target, event, raw),
      webhook: (target, event, raw) => this.webhook.deliver(target, event, raw),
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
    void this.watchConnection();
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
    this.workers.clear();
    await this.leases.close();
    await Promise.all([this.webhook.close(), this.mqtt.close(), this.amqp.close()]);
  }

  /** Events in flight when NATS went away may be lost to the consumer: after a reconnect, start again from the floor. */
  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'reconnect') this.restartAll = true;
    }
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
    if (this.restartAll) {
      this.restartAll = false;
      await this.stopWorkers([...this.workers.keys()]);
    }
    const routed = (await this.repo.routedEndpoints()).filter((r) => this.deliverers[r.endpoint.endpointType]);
    const gone = [...this.workers].filter(([name, worker]) => {
      const now = routed.find((r) => r.endpoint.name === name);
      // An endpoint that changed kind: its worker's way of delivering no longer applies.
      return !now || now.endpoint.endpointType !== worker.kind;
    });
    await this.stopWorkers(gone.map(([name]) => name));

    const fairShare = Math.ceil(routed.length / (await this.leases.replicas()));
    // Over the fair share (another replica started): give back the last ones.
    const over = [...this.workers.keys()].sort().slice(fairShare);
    await this.stopWorkers(over);

    for (const { endpoint, secret, filters } of routed) {
      const target: DeliveryTarget = { endpoint, secret };
      const worker = this.workers.get(endpoint.name);
      if (worker) {
        worker.update(target, filters);
        continue;
      }
      if (this.workers.size >= fairShare || over.includes(endpoint.name) || !(await this.leases.tryAcquire(endpoint.name))) continue;
      const started = new EndpointWorker(target, this.nc, this.config.EVENTS_STREAM, this.deliverers[endpoint.endpointType]!, this.deadLetters, this.logger, {
        concurrency: this.config.ENDPOINT_CONCURRENCY,
        maxPending: this.config.ENDPOINT_MAX_PENDING,
      }, this.countDelivery);
      started.update(target, filters);
      try {
        await started.start(this.jsm!);
      } catch (err) {
        await this.leases.release(endpoint.name);
        throw err;
      }
      this.workers.set(endpoint.name, started);
    }
  }

  /** Stops these endpoints' workers and gives their leases back. */
  private async stopWorkers(names: string[]): Promise<void> {
    await Promise.all(names.map(async (name) => {
      const worker = this.workers.get(name);
      this.workers.delete(name);
      await worker?.stop();
      await this.leases.release(name);
    }));
  }
}
