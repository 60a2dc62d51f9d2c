import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import { Pool } from 'pg';
import { QUERY_CONFIG, type QueryConfig } from '../config';

export interface ResultRow {
  row: unknown;
  key: unknown[];
}

/**
 * Reads the twins and relationships tables (owned by their services) through read-only
 * connections, against the primary by default or a read replica (`QUERY_DATABASE_URL`).
 */
@Injectable()
export class QueryRepository implements OnApplicationShutdown {
  readonly pool: Pool;

  constructor(@Inject(QUERY_CONFIG) config: QueryConfig) {
    this.pool = new Pool({
      connectionString: config.QUERY_DATABASE_URL ?? config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      application_name: 'query-service',
      options: `-c default_transaction_read_only=on -c statement_timeout=${config.QUERY_TIMEOUT_MS}`,
    });
    this.pool.on('error', () => undefined);
  }

  async run(sql: string, params: unknown[]): Promise<ResultRow[]> {
    try {
      return (await this.pool.query<ResultRow>(sql, params)).rows;
    } catch (err) {
      throw queryError(err);
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
