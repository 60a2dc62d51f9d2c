import { DynamicModule, Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { Metrics } from '@odt/service-kit';
import type { Logger } from 'pino';
import { ensureEventsStream, MESSAGING_LOGGER, NATS_CONNECTION } from '@odt/messaging';
import { OutboxRelay } from './outbox-relay';
import { OutboxWaker, outboxWakeSubject } from './outbox-wake';

export interface OutboxRelayModuleOptions {
  enabled: boolean;
  databaseUrl: string;
  schema: string;
  stream: string;
  subjectPrefix: string;
  streamReplicas: number;
  pollIntervalMs: number;
  /** How often the relay announces its watermark (0: never). */
  watermarkIntervalMs: number;
  /** Rows read, and published side by side, per relay cycle (default 256). */
  batchSize?: number;
  /** The longest pass while a backlog lasts (default 2048). */
  maxBatchSize?: number;
  /** How long published rows are kept, marked (default 0: deleted once published). */
  keepPublishedMs?: number;
  /** `NATS_NAMESPACE`: writers' wakes come on `outboxWakeSubject(namespace, schema)`. */
  namespace: string;
}

const RELAY_OPTIONS = Symbol('RELAY_OPTIONS');

/** Runs a service's outbox relay for the life of the application (when enabled). */
@Injectable()
class OutboxRelayRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private relay?: OutboxRelay;

  constructor(
    @Inject(RELAY_OPTIONS) private readonly options: OutboxRelayModuleOptions,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureEventsStream(this.nc, this.options.stream, this.options.subjectPrefix, this.options.streamReplicas);
    if (!this.options.enabled) return;
    this.relay = new OutboxRelay({
      databaseUrl: this.options.databaseUrl,
      schema: this.options.schema,
      nc: this.nc,
      wakeSubject: outboxWakeSubject(this.options.namespace, this.options.schema),
      logger: this.logger,
      pollIntervalMs: this.options.pollIntervalMs,
      ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}),
      ...(this.options.maxBatchSize ? { maxBatchSize: this.options.maxBatchSize } : {}),
      ...(this.options.keepPublishedMs ? { keepPublishedMs: this.options.keepPublishedMs } : {}),
      metrics: this.metrics,
      ...(this.options.watermarkIntervalMs > 0
        ? { watermark: { stream: this.options.stream, intervalMs: this.options.watermarkIntervalMs, replicas: this.options.streamReplicas } }
        : {}),
    });
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}

/** The settings of a service with an outbox (its config schema's fields). */
export interface OutboxSettings {
  DATABASE_URL: string;
  OUTBOX_RELAY: 'on' | 'off';
  OUTBOX_POLL_MS: number;
  EVENTS_STREAM: string;
  EVENTS_SUBJECT_PREFIX: string;
  EVENTS_STREAM_REPLICAS: number;
  OUTBOX_WATERMARK_MS: number;
  /** Events the relay reads and publishes per cycle (optional: 256). */
  OUTBOX_BATCH_SIZE?: number;
  /** The longest pass while a backlog lasts (optional: 2048). */
  OUTBOX_BATCH_MAX?: number;
  /** How long published rows are kept, marked (optional: 0, deleted once published). */
  OUTBOX_KEEP_PUBLISHED_MS?: number;
  NATS_NAMESPACE: string;
}

@Module({})
export class OutboxRelayModule {
  /** The relay of the outbox table in `schema`, and the events stream it publishes to. */
  static forRoot(config: OutboxSettings, { schema }: { schema: string }): DynamicModule {
    const options: OutboxRelayModuleOptions = {
      enabled: config.OUTBOX_RELAY === 'on',
      namespace: config.NATS_NAMESPACE,
      databaseUrl: config.DATABASE_URL,
      schema,
      stream: config.EVENTS_STREAM,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      streamReplicas: config.EVENTS_STREAM_REPLICAS,
      pollIntervalMs: config.OUTBOX_POLL_MS,
      watermarkIntervalMs: config.OUTBOX_WATERMARK_MS,
      ...(config.OUTBOX_BATCH_SIZE ? { batchSize: config.OUTBOX_BATCH_SIZE } : {}),
      ...(config.OUTBOX_BATCH_MAX ? { maxBatchSize: config.OUTBOX_BATCH_MAX } : {}),
      ...(config.OUTBOX_KEEP_PUBLISHED_MS ? { keepPublishedMs: config.OUTBOX_KEEP_PUBLISHED_MS } : {}),
    };
    return { module: OutboxRelayModule, providers: [{ provide: RELAY_OPTIONS, useValue: options }, OutboxRelayRunner, OutboxWaker], exports: [OutboxWaker] };
  }
}
