import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { guardPool, Metrics, pendingMigrations, ROOT_LOGGER, ServiceKitModule, type BaseConfig, type ReadinessCheck } from '@odt/service-kit';
import type { Pool } from 'pg';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { MessagingModule, NATS_CONNECTION, natsReadiness } from '@odt/messaging';

export interface FoundationOptions {
  /** The service's tables: TypeORM, and Postgres in its readiness. */
  database?: { url: string; options: DataSourceOptions };
  /** Readiness checks of the service's own (their providers must be global). */
  readiness?: { inject: InjectionToken[]; useFactory: (...deps: never[]) => ReadinessCheck[] };
}

/**
 * The modules every service starts from: JSON logs and health (readiness: NATS, and Postgres when
 * it has tables), the NATS connection with the internal APIs' client and transport, and
 * optionally TypeORM.
 */
export function serviceFoundation(service: string, config: BaseConfig, options: FoundationOptions = {}): (DynamicModule | typeof PoolMetricsModule)[] {
  const { database } = options;
  const own = options.readiness ?? { inject: [], useFactory: () => [] };
  const ownChecks = (deps: unknown[]) => (own.useFactory as (...d: unknown[]) => ReadinessCheck[])(...deps);
  const readiness = database
    ? {
        inject: [getDataSourceToken(), NATS_CONNECTION, ...own.inject],
        useFactory: (db: DataSource, nc: NatsConnection, ...deps: unknown[]): ReadinessCheck[] => [
          { name: 'postgres', check: async () => void (await db.query('SELECT 1')) },
          schemaReadiness(db),
          natsReadiness(nc),
          ...ownChecks(deps),
        ],
      }
    : { inject: [NATS_CONNECTION, ...own.inject], useFactory: (nc: NatsConnection, ...deps: unknown[]): ReadinessCheck[] => [natsReadiness(nc), ...ownChecks(deps)] };
  return [
    ServiceKitModule.forRoot({ service, logLevel: config.LOG_LEVEL, readiness, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }),
    MessagingModule.forRoot({ nats: config, service, requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS, namespace: config.NATS_NAMESPACE, loggerToken: ROOT_LOGGER }),
    ...(database ? [TypeOrmModule.forRoot(database.options), PoolMetricsModule] : []),
  ];
}

/**
 * `db_pool_connections{state}`: the service's Postgres pool (total, idle, and requests waiting for
 * one); and the pool made to survive a lost connection (see guardPool).
 */
@Module({
  providers: [
    { provide: 'POOL_METRICS', inject: [getDataSourceToken(), Metrics], useFactory: observePool },
    { provide: 'POOL_GUARD', inject: [getDataSourceToken(), ROOT_LOGGER], useFactory: guardTypeOrmPool },
  ],
})
class PoolMetricsModule {}

function guardTypeOrmPool(db: DataSource, logger: Logger): void {
  const pool = (db.driver as unknown as { master?: Pool }).master;
  if (pool) guardPool(pool, 'typeorm', logger);
}

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
