import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import type { CompiledRow } from '@odt/query';
import { guardPool, ROOT_LOGGER } from '@odt/service-kit';
import { DatabaseError, Pool } from 'pg';
import type { Logger } from 'pino';
import { QUERY_CONFIG, type QueryConfig } from '../config';
import { PreparedStatements } from './prepared-statements';

/**
 * Reads the twins and relationships tables (owned by their services) through read-only
 * connections, against the primary by default or a read replica (`QUERY_DATABASE_URL`). Read-only
 * and the statement timeout are session settings given at connect time, so a query is one round
 * trip: no transaction, no `SET`. Rows come back as the JSON text the SQL built, unparsed.
 */
@Injectable()
export class QueryRepository implements OnApplicationShutdown {
  readonly pool: Pool;
  private readonly statements?: PreparedStatements;

  constructor(@Inject(QUERY_CONFIG) config: QueryConfig, @Optional() @Inject(ROOT_LOGGER) logger?: Logger) {
    this.pool = new Pool({
      connectionString: config.QUERY_DATABASE_URL ?? config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      application_name: 'query-service',
      options: `-c default_transaction_read_only=on -c statement_timeout=${config.QUERY_TIMEOUT_MS}`,
    });
    guardPool(this.pool, 'query-service', logger ?? { warn: () => undefined });
    if (config.QUERY_PREPARED_STATEMENTS > 0) this.statements = new PreparedStatements(config.QUERY_PREPARED_STATEMENTS);
  }

  /** `customPlan`: run unnamed, planned with these values (never a prepared statement's generic plan). */
  async run(sql: string, params: unknown[], customPlan = false): Promise<CompiledRow[]> {
    const client = await this.pool.connect();
    const { name, retire } = (customPlan ? undefined : this.statements?.plan(sql, client)) ?? { retire: false };
    let broken: Error | undefined;
    try {
      return (await client.query<CompiledRow>({ name, text: sql, values: params })).rows;
    } catch (err) {
      // An error Postgres reported leaves the session usable, unless it ended it (FATAL: terminated,
      // shut down); anything else may not have.
      if (!(err instanceof DatabaseError) || err.severity === 'FATAL' || err.severity === 'PANIC') broken = err as Error;
      throw queryError(err);
    } finally {
      client.release(broken ?? retire);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

function queryError(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  if (code === '57014') return new DomainError('TimeoutError', 'The query took longer than the time allowed and was stopped. Narrow it (a $dtId anchor, fewer hops) and try again.');
  // Data exceptions (a value of an unexpected type in a comparison the compiler could not rule out).
  if (code?.startsWith('22')) return new DomainError('SqlQueryError', `The query cannot be evaluated: ${(err as Error).message}`);
  return err;
}
