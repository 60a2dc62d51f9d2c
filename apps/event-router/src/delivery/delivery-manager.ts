import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ensureEventsStream, NATS_CONNECTION } from '@odt/messaging';
import { Metrics, ROOT_LOGGER } from '@odt/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { RoutingRepository } from '../routing/routing.repository';
import { DeadLettering } from './dead-lettering';
import { DeadLetters, type DeadLetter } from './dead-letters';
import { Deliverers } from './deliverers';
import { DeliveryMetrics } from './delivery-metrics';
import type { Deliver, DeliveryTarget } from './delivery-target';
import { EndpointConsumers } from './endpoint-consumers';
import { EndpointLeases } from './endpoint-leases';
import { EndpointWorker, type WorkerDeps } from './endpoint-worker';

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
  private readonly deliverers: Deliverers;
  readonly deadLetters: DeadLetters;
  private readonly deadLettering: DeadLettering;
  private readonly metrics: DeliveryMetrics;
  /** Set at bootstrap, once the events stream is there. */
  private consumers?: EndpointConsumers;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private readonly leases: EndpointLeases;
  /** Set when the workers must be restarted: the lease connection or the NATS connection was lost. */
  private restartAll = false;

  constructor(
    private readonly repo: RoutingRepository,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.metrics = new DeliveryMetrics(metrics, () => this.backlogs());
    this.deadLetters = new DeadLetters(nc, config.DEADLETTER_STREAM ?? `${config.EVENTS_STREAM}_DEADLETTER`, `${config.EVENTS_SUBJECT_PREFIX}-deadletter`);
    this.deadLettering = new DeadLettering(this.deadLetters, logger, this.metrics.count);
    this.leases = new EndpointLeases(config.DATABASE_URL, config.EVENTS_STREAM, logger, () => {
      this.restartAll = true;
    });
    this.deliverers = new Deliverers(nc);
  }

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await ensureEventsStream(this.nc, this.config.EVENTS_STREAM, this.config.EVENTS_SUBJECT_PREFIX, this.config.EVENTS_STREAM_REPLICAS);
    this.consumers = new EndpointConsumers(jsm, this.config.EVENTS_STREAM, this.logger);
    await this.deadLetters.ensureStream(this.config.EVENTS_STREAM_REPLICAS);
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
    await this.deliverers.close();
  }

  /** Events in flight when NATS went away may be lost to the consumer: after a reconnect, start again from the floor. */
  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'reconnect') this.restartAll = true;
    }
  }

  /** Per endpoint this replica delivers to, the events waiting in its consumer (the router's scaling signal). */
  private async backlogs(): Promise<Map<string, number>> {
    const consumers = this.consumers;
    const out = new Map<string, number>();
    if (!consumers) return out;
    await Promise.all([...this.workers.keys()].map(async (name) => {
      const waiting = await consumers.backlog(name);
      if (waiting !== undefined) out.set(name, waiting);
    }));
    return out;
  }

  listDeadLetters(endpoint: string, limit: number): Promise<DeadLetter[]> {
    return this.deadLetters.list(endpoint, limit);
  }

  /** Delivers an endpoint's dead letters again, oldest first, removing each one it delivers; stops at the first failure. */
  async replayDeadLetters(endpoint: string): Promise<{ replayed: number; remaining: number }> {
    const target = await this.repo.deliveryTarget(endpoint);
    const deliver = target && this.deliverers.of(target.endpoint.endpointType);
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
    const routed = (await this.repo.routedEndpoints()).filter((r) => this.deliverers.of(r.endpoint.endpointType));
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
      const started = new EndpointWorker(target, this.workerDeps(this.deliverers.of(endpoint.endpointType)!));
      started.update(target, filters);
      try {
        await started.start();
      } catch (err) {
        await this.leases.release(endpoint.name);
        throw err;
      }
      this.workers.set(endpoint.name, started);
    }
  }

  private workerDeps(deliver: Deliver): WorkerDeps {
    return {
      nc: this.nc,
      consumers: this.consumers!,
      deliver,
      deadLettering: this.deadLettering,
      logger: this.logger,
      count: this.metrics.count,
      limits: { concurrency: this.config.ENDPOINT_CONCURRENCY, maxPending: this.config.ENDPOINT_MAX_PENDING },
    };
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
