import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule, NATS_CONNECTION, natsReadiness } from '@odt/messaging';
import { ROOT_LOGGER, ServiceKitModule } from '@odt/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import { ROUTER_CONFIG, type RouterConfig } from './config';
import { EventConsumer } from './consumer/event-consumer';

export const SERVICE_NAME = 'event-router';

@Module({})
export class RouterAppModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterAppModule,
      imports: [
        ServiceKitModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          readiness: { inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => [natsReadiness(nc)] },
        }),
        MessagingModule.forRoot({ url: config.NATS_URL, service: SERVICE_NAME, requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS, namespace: config.NATS_NAMESPACE, loggerToken: ROOT_LOGGER }),
      ],
      providers: [{ provide: ROUTER_CONFIG, useValue: config }, EventConsumer],
    };
  }
}
