import {
  DynamicModule, Global, Inject, Injectable, Module, SetMetadata,
  type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Subject } from '@odt/contracts';
import { Metrics } from '@odt/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { connectNats, type NatsSettings } from './nats-connection';
import { publishBatcher } from './publish-batcher';
import { RpcClient } from './rpc-client';
import { RpcServer, type RpcHandlerFn } from './rpc-server';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const MESSAGING_LOGGER = Symbol('MESSAGING_LOGGER');
/** The subject namespace string (see `namespaced`). */
export const NATS_NAMESPACE = Symbol('NATS_NAMESPACE');
const RPC_HANDLER = Symbol('RPC_HANDLER');

/** Marks a method as the handler of an internal request/reply subject. */
export const RpcHandler = (subject: Subject): MethodDecorator => SetMetadata(RPC_HANDLER, subject);

export interface MessagingOptions {
  nats: NatsSettings;
  /** Connection name and queue group: replicas of one service share a queue. */
  service: string;
  requestTimeoutMs: number;
  namespace: string;
  /** Token of the pino logger to use (the service's root logger). */
  loggerToken: symbol;
}

@Injectable()
class RpcExplorer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly server: RpcServer,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const name of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const method = instance[name] as (...args: unknown[]) => unknown;
        const subject = Reflect.getMetadata(RPC_HANDLER, method) as Subject | undefined;
        if (subject) this.server.handle(subject, method.bind(instance) as RpcHandlerFn<Subject>);
      }
    }
  }

  /** Stop taking requests and finish the ones in flight before other modules shut down. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.server.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    publishBatcher(this.nc).flush();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: NATS_CONNECTION, useFactory: () => connectNats(options.nats, options.service) },
        { provide: MESSAGING_LOGGER, useExisting: options.loggerToken },
        {
          provide: RpcClient,
          inject: [NATS_CONNECTION, Metrics],
          useFactory: (nc: NatsConnection, metrics: Metrics) => new RpcClient(nc, options.requestTimeoutMs, options.namespace, metrics),
        },
        {
          provide: RpcServer,
          inject: [NATS_CONNECTION, MESSAGING_LOGGER, Metrics],
          useFactory: (nc: NatsConnection, logger: Logger, metrics: Metrics) => new RpcServer(nc, options.service, logger, options.namespace, metrics),
        },
        { provide: NATS_NAMESPACE, useValue: options.namespace },
        RpcExplorer,
      ],
      exports: [NATS_CONNECTION, NATS_NAMESPACE, MESSAGING_LOGGER, RpcClient, RpcServer],
    };
  }
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
