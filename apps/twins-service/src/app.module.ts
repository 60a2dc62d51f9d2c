import { Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule, NATS_CONNECTION, natsReadiness, OutboxRelayModule } from '@odt/messaging';
import { ModelCatalogModule } from '@odt/model-catalog';
import { ROOT_LOGGER, ServiceKitModule } from '@odt/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { TWINS_CONFIG, type TwinsConfig } from './config';
import { TWINS_SCHEMA, twinsDataSourceOptions } from './database/data-source';
import { TelemetryService } from './twins/telemetry.service';
import { TwinEvents } from './twins/twin-events';
import { TwinsHandlers } from './twins/twins.handlers';
import { TwinsRepository } from './twins/twins.repository';
import { TwinsService } from './twins/twins.service';

export const SERVICE_NAME = 'twins-service';

@Module({})
export class TwinsAppModule {
  static forRoot(config: TwinsConfig): DynamicModule {
    return {
      module: TwinsAppModule,
      imports: [
        ServiceKitModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          readiness: {
            inject: [getDataSourceToken(), NATS_CONNECTION],
            useFactory: (db: DataSource, nc: NatsConnection) => [
              { name: 'postgres', check: async () => void (await db.query('SELECT 1')) },
              natsReadiness(nc),
            ],
          },
        }),
        MessagingModule.forRoot({ url: config.NATS_URL, service: SERVICE_NAME, requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS, namespace: config.NATS_NAMESPACE, loggerToken: ROOT_LOGGER }),
        TypeOrmModule.forRoot(twinsDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE)),
        ModelCatalogModule.forRoot({ ttlMs: config.MODEL_CACHE_TTL_MS }),
        OutboxRelayModule.forRoot({
          enabled: config.OUTBOX_RELAY === 'on',
          databaseUrl: config.DATABASE_URL,
          schema: TWINS_SCHEMA,
          stream: config.EVENTS_STREAM,
          subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
          pollIntervalMs: config.OUTBOX_POLL_MS,
        }),
      ],
      providers: [
        { provide: TWINS_CONFIG, useValue: config },
        TwinsRepository,
        TwinEvents,
        TwinsService,
        TelemetryService,
        TwinsHandlers,
      ],
    };
  }
}
