import { Global, Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule, NATS_CONNECTION, natsReadiness } from '@odt/messaging';
import { ROOT_LOGGER, ServiceKitModule } from '@odt/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import { QUERY_CONFIG, type QueryConfig } from './config';
import { QueryHandlers } from './query/query.handlers';
import { QueryRepository } from './query/query.repository';
import { QueryService } from './query/query.service';

export const SERVICE_NAME = 'query-service';

/** Global so that the readiness check (in the service kit) can reach the read-only pool. */
@Global()
@Module({})
class QueryDatabaseModule {
  static forRoot(config: QueryConfig): DynamicModule {
    return {
      module: QueryDatabaseModule,
      providers: [{ provide: QUERY_CONFIG, useValue: config }, QueryRepository],
      exports: [QUERY_CONFIG, QueryRepository],
    };
  }
}

@Module({})
export class QueryAppModule {
  static forRoot(config: QueryConfig): DynamicModule {
    return {
      module: QueryAppModule,
      imports: [
        QueryDatabaseModule.forRoot(config),
        ServiceKitModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
          readiness: {
            inject: [QueryRepository, NATS_CONNECTION],
            useFactory: (repo: QueryRepository, nc: NatsConnection) => [
              { name: 'postgres', check: async () => void (await repo.pool.query('SELECT 1')) },
              natsReadiness(nc),
            ],
          },
        }),
        MessagingModule.forRoot({ nats: config, service: SERVICE_NAME, requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS, namespace: config.NATS_NAMESPACE, loggerToken: ROOT_LOGGER }),
      ],
      providers: [QueryService],
      controllers: [QueryHandlers],
    };
  }
}
