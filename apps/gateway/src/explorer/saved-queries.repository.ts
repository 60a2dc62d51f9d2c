import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import { guardPool, ROOT_LOGGER } from '@odt/service-kit';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export interface SavedQuery { name: string; query: string; updatedAt: string }

/** Most saved queries one user keeps. */
export const SAVED_QUERIES_PER_USER = 500;

/**
 * The Explorer's saved queries in `explorer.saved_queries`, per owner. The gateway's only tables:
 * a small pool, opened on first use, so that a gateway whose users save nothing never connects.
 */
@Injectable()
export class SavedQueriesRepository implements OnApplicationShutdown {
  private pool?: Pool;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig, @Optional() @Inject(ROOT_LOGGER) private readonly logger?: Logger) {}

  private db(): Pool {
    if (!this.pool) {
      this.pool = new Pool({ connectionString: this.config.DATABASE_URL, max: 2, application_name: 'gateway', options: '-c statement_timeout=5000' });
      guardPool(this.pool, 'gateway', this.logger ?? { warn: () => undefined });
    }
    return this.pool;
  }

  async list(owner: string): Promise<SavedQuery[]> {
    const { rows } = await this.run<{ name: string; query: string; updated_at: Date }>(
      'SELECT name, query, updated_at FROM explorer.saved_queries WHERE owner = $1 ORDER BY name', [owner]);
    return rows.map((r) => ({ name: r.name, query: r.query, updatedAt: r.updated_at.toISOString() }));
  }

  async put(owner: string, name: string, query: string): Promise<SavedQuery> {
    const { rows } = await this.run<{ updated_at: Date }>(
      `INSERT INTO explorer.saved_queries (owner, name, query)
         SELECT $1, $2, $3 WHERE (SELECT count(*) FROM explorer.saved_queries WHERE owner = $1 AND name <> $2) < $4
       ON CONFLICT (owner, name) DO UPDATE SET query = EXCLUDED.query, updated_at = now()
       RETURNING updated_at`, [owner, name, query, SAVED_QUERIES_PER_USER]);
    if (rows.length === 0) throw new DomainError('QuotaReachedError', `A user keeps at most ${SAVED_QUERIES_PER_USER} saved queries; delete some first.`);
    return { name, query, updatedAt: rows[0].updated_at.toISOString() };
  }

  /** Whether there was such a query. */
  async delete(owner: string, name: string): Promise<boolean> {
    const { rowCount } = await this.run('DELETE FROM explorer.saved_queries WHERE owner = $1 AND name = $2', [owner, name]);
    return (rowCount ?? 0) > 0;
  }

  private async run<R extends object>(sql: string, params: unknown[]) {
    try {
      return await this.db().query<R & import('pg').QueryResultRow>(sql, params);
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') throw new DomainError('ServiceUnavailable', 'Saved queries are not set up: run the migrations (npm run migrate).');
      throw err;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }
}
