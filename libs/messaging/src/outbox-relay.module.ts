import { DynamicModule, Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { Metrics } from '@odt/service-kit';
import type { Logger } from 'pino';
import { ensureEventsStream } from './events-stream';
import { MESSAGING_LOGGER, NATS_CONNECTION } from './messaging.module';
import { OutboxRelay } from './outbox-relay';

export interface OutboxRelayModuleOptions {
  enabled: boolean;
  databaseUrl: string;
  schema: string;
  stream: string;
  subjectPrefix: string;
  streamReplicas: number;
  pollIntervalMs: number;
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
      logger: this.logger,
      pollIntervalMs: this.options.pollIntervalMs,
      metrics: this.metrics,
    });
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}

@Module({})
export class OutboxRelayModule {
  static forRoot(options: OutboxRelayModuleOptions): DynamicModule {
    return { module: OutboxRelayModule, providers: [{ provide: RELAY_OPTIONS, useValue: options }, OutboxRelayRunner] };
  }
}
