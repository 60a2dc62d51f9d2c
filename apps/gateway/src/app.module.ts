import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MessagingModule, NATS_CONNECTION, natsReadiness } from '@odt/messaging';
import { ROOT_LOGGER, ServiceKitModule } from '@odt/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { AdtExceptionFilter } from './http/adt-exception.filter';
import { ModelsController } from './models/models.controller';
import { QueryController } from './query/query.controller';
import { RelationshipsController } from './relationships/relationships.controller';
import { ComponentsController } from './twins/components.controller';
import { TelemetryController } from './twins/telemetry.controller';
import { TwinsController } from './twins/twins.controller';

export const SERVICE_NAME = 'gateway';

@Module({})
export class GatewayAppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [
        ServiceKitModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          readiness: { inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => [natsReadiness(nc)] },
        }),
        MessagingModule.forRoot({ url: config.NATS_URL, service: SERVICE_NAME, requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS, namespace: config.NATS_NAMESPACE, loggerToken: ROOT_LOGGER }),
      ],
      controllers: [ModelsController, QueryController, RelationshipsController, TwinsController, ComponentsController, TelemetryController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, { provide: APP_FILTER, useClass: AdtExceptionFilter }],
    };
  }
}
