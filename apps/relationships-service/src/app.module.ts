import { Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule, NATS_CONNECTION, natsReadiness, OutboxRelayModule } from '@odt/messaging';
import { ModelCatalogModule } from '@odt/model-catalog';
import { ROOT_LOGGER, ServiceKitModule } from '@odt/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { RELATIONSHIPS_CONFIG, type RelationshipsConfig } from './config';
import { RELATIONSHIPS_SCHEMA, relationshipsDataSourceOptions } from './database/data-source';
import { RelationshipEvents } from './relationships/relationship-events';
import { RelationshipsHandlers } from './relationships/relationships.handlers';
import { RelationshipsRepository } from './relationships/relationships.repository';
import { RelationshipsService } from './relationships/relationships.service';

export const SERVICE_NAME = 'relationships-service';

@Module({})
export class RelationshipsAppModule {
  static forRoot(config: RelationshipsConfig): DynamicModule {
    return {
      module: RelationshipsAppModule,
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
        TypeOrmModule.forRoot(relationshipsDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE)),
        ModelCatalogModule.forRoot({ ttlMs: config.MODEL_CACHE_TTL_MS }),
        OutboxRelayModule.forRoot({
          enabled: config.OUTBOX_RELAY === 'on',
          databaseUrl: config.DATABASE_URL,
          schema: RELATIONSHIPS_SCHEMA,
          stream: config.EVENTS_STREAM,
          subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
          pollIntervalMs: config.OUTBOX_POLL_MS,
        }),
      ],
      providers: [
        { provide: RELATIONSHIPS_CONFIG, useValue: config },
        RelationshipsRepository,
        RelationshipEvents,
        RelationshipsService,
        RelationshipsHandlers,
      ],
    };
  }
}
