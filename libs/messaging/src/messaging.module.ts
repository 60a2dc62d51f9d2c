import { Global, Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type INestApplication, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import { Metrics } from '@odt/service-kit';
import type { Logger } from 'pino';
import { InternalApiExceptionFilter } from './internal-api/exception-filter';
import { InternalClient } from './internal-api/internal-client';
import { NatsClientProxy } from './internal-api/nats-client-proxy';
import { NatsTransport } from './internal-api/nats-transport';
import { connectNats, type NatsSettings } from './nats-connection';
import { publishBatcher } from './publish-batcher';
import { MESSAGING_LOGGER, NATS_CONNECTION, NATS_NAMESPACE } from './tokens';

export interface MessagingOptions {
  nats: NatsSettings;
  /** Connection name and queue group: replicas of one service share a queue. */
  service: string;
  requestTimeoutMs: number;
  namespace: string;
  /** Token of the pino logger to use (the service's root logger). */
  loggerToken: symbol;
}

/** Stops serving before other modules shut down; drains the connection after them. */
@Injectable()
class MessagingLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly transport: NatsTransport,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }

  async onApplicationShutdown(): Promise<void> {
    publishBatcher(this.nc).flush();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

/**
 * The process's NATS connection, the client of the other services' internal APIs
 * (`ClientProxy`, and its typed face `InternalClient`), and the transport that serves this
 * service's own `@MessagePattern` handlers (connected by `startInternalApi`).
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: NATS_CONNECTION, useFactory: () => connectNats(options.nats, options.service) },
        { provide: MESSAGING_LOGGER, useExisting: options.loggerToken },
        { provide: NATS_NAMESPACE, useValue: options.namespace },
        { provide: ClientProxy, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => new NatsClientProxy(nc, options.namespace) },
        {
          provide: InternalClient,
          inject: [ClientProxy, Metrics],
          useFactory: (proxy: ClientProxy, metrics: Metrics) => new InternalClient(proxy, options.requestTimeoutMs, metrics),
        },
        {
          provide: NatsTransport,
          inject: [NATS_CONNECTION, MESSAGING_LOGGER, Metrics],
          useFactory: (nc: NatsConnection, logger: Logger, metrics: Metrics) => new NatsTransport(nc, { queue: options.service, namespace: options.namespace, logger, metrics }),
        },
        InternalApiExceptionFilter,
        MessagingLifecycle,
      ],
      exports: [NATS_CONNECTION, NATS_NAMESPACE, MESSAGING_LOGGER, ClientProxy, InternalClient, NatsTransport, InternalApiExceptionFilter],
    };
  }
}

/** Serves the application's `@MessagePattern`/`@EventPattern` handlers on NATS (before `listen`). */
export async function startInternalApi(app: INestApplication): Promise<void> {
  app.connectMicroservice({ strategy: app.get(NatsTransport) }, { inheritAppConfig: false });
  await app.startAllMicroservices();
}

/** Readiness of the NATS connection: open and answering a round trip. */
export function natsReadiness(nc: NatsConnection) {
  return {
    name: 'nats',
    check: async () => {
      if (nc.isClosed()) throw new Error('connection closed');
      await nc.flush();
    },
  };
}
