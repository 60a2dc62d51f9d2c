import { Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { Metrics, pendingMigrations, ROOT_LOGGER, ServiceKitModule, type BaseConfig, type ReadinessCheck } from '@odt/service-kit';
import type { Pool } from 'pg';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { MessagingModule, NATS_CONNECTION, natsReadiness } from './messaging.module';
import { OutboxRelayModule } from './outbox-relay.module';

export interface FoundationOptions {
  /** The service's tables: TypeORM, and Postgres in its readiness. */
  database?: { url: string; options: DataSourceOptions };
  /** The service's outbox relay. */
  outbox?: { schema: string; enabled: boolean; pollIntervalMs: number };
}

/**
 * The modules every service starts from: JSON logs and health (readiness: NATS, and Postgres when
 * it has tables), the NATS connection with its request/reply client and server, and optionally
 * TypeORM and the outbox relay.
 */
export function serviceFoundation(service: string, config: BaseConfig, options: FoundationOptions = {}): (DynamicModule | typeof PoolMetricsModule)[] {
  const { database, outbox } = options;
  const readiness = database
    ? {
        inject: [getDataSourceToken(), NATS_CONNECTION],
        useFactory: (db: DataSource, nc: NatsConnection): ReadinessCheck[] => [
          { name: 'postgres', check: async () => void (await db.query('SELECT 1')) },
          schemaReadiness(db),
          natsReadiness(nc),
        ],
      }
    : { inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection): ReadinessCheck[] => [natsReadiness(nc)] };
  return [
    ServiceKitModule.forRoot({ service, logLevel: config.LOG_LEVEL, readiness, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }),
    MessagingModule.forRoot({ nats: config, service, requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS, namespace: config.NATS_NAMESPACE, loggerToken: ROOT_LOGGER }),
    ...(database ? [TypeOrmModule.forRoot(database.options), PoolMetricsModule] : []),
    ...(database && outbox
      ? [OutboxRelayModule.forRoot({
          enabled: outbox.enabled,
          databaseUrl: database.url,
          schema: outbox.schema,
          stream: config.EVENTS_STREAM,
          subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
          streamReplicas: config.EVENTS_STREAM_REPLICAS,
          pollIntervalMs: outbox.pollIntervalMs,
        })]
      : []),
  ];
}

/** `db_pool_connections{state}`: the service's Postgres pool (total, idle, and requests waiting for one). */
@Module({ providers: [{ provide: 'POOL_METRICS', inject: [getDataSourceToken(), Metrics], useFactory: observePool }] })
class PoolMetricsModule {}

function observePool(db: DataSource, metrics: Metrics): void {
  metrics.gauge('db_pool_connections', 'Postgres pool connections by state (total, idle, waiting requests).', ['state'], (gauge) => {
    const pool = (db.driver as unknown as { master?: Pool }).master;
    if (!pool) return;
    gauge.set({ state: 'total' }, pool.totalCount);
    gauge.set({ state: 'idle' }, pool.idleCount);
    gauge.set({ state: 'waiting' }, pool.waitingCount);
  });
}

/** Not ready while the service's migrations have not all run (checked until they have). */
function schemaReadiness(db: DataSource): ReadinessCheck {
  let current = false;
  return {
    name: 'schema',
    check: async () => {
      if (current) return;
      const pending = await pendingMigrations(db);
      if (pending.length > 0) throw new Error(`waiting for migrations: ${pending.join(', ')}`);
      current = true;
    },
  };
}
