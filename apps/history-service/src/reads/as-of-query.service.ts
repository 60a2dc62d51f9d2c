import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AS_OF_TOKEN_PREFIX, DomainError, type HistoryQueryRequest, type QueryReply } from '@odt/contracts';
import { compileQuery, ContinuationTokens, pageJson, takePage, type CompiledRow, type QueryLimits } from '@odt/query';
import { DatabaseError, Pool } from 'pg';
import { HISTORY_CONFIG, type HistoryConfig } from '../config';
import { HistoryReads } from './history-reads.service';

/**
 * `POST /query` with `asOf`: the whole query language on the graph as it was, compiled by
 * `libs/query` against `history.twins_at(T)` / `history.relationships_at(T)` and run on read-only
 * connections of this service's schema. Continuation tokens carry the moment and start with
 * `asof.`, so the gateway sends them back here.
 */
@Injectable()
export class AsOfQueryService implements OnApplicationShutdown {
  private readonly tokens: ContinuationTokens;
  private readonly limits: Partial<QueryLimits>;
  private readonly pool: Pool;

  constructor(
    private readonly reads: HistoryReads,
    @Inject(HISTORY_CONFIG) private readonly config: HistoryConfig,
  ) {
    this.tokens = new ContinuationTokens(config.QUERY_TOKEN_SECRET);
    this.limits = { maxLength: config.QUERY_MAX_LENGTH, maxTerms: config.QUERY_MAX_TERMS, maxInItems: config.QUERY_MAX_IN_ITEMS };
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: Math.max(2, Math.floor(config.DATABASE_POOL_SIZE / 2)),
      application_name: 'history-service-query',
      options: `-c default_transaction_read_only=on -c statement_timeout=${config.QUERY_TIMEOUT_MS}`,
    });
    this.pool.on('error', () => undefined);
  }

  async run(req: HistoryQueryRequest): Promise<QueryReply> {
    const position = req.continuationToken !== undefined
      ? this.tokens.read(req.continuationToken.startsWith(AS_OF_TOKEN_PREFIX) ? req.continuationToken.slice(AS_OF_TOKEN_PREFIX.length) : req.continuationToken)
      : { query: requireQuery(req.query), after: undefined, returned: 0, asOf: req.asOf };
    if (position.asOf === undefined) throw new DomainError('BadRequest', 'An asOf query needs asOf.');
    const at = await this.reads.moment(position.asOf);
    const pageSize = Math.min(Math.max(1, req.maxItemsPerPage), this.config.QUERY_MAX_PAGE_SIZE);
    const compiled = compileQuery(position.query, { limits: this.limits, page: { after: position.after, limit: pageSize, returnedSoFar: position.returned }, asOf: { at } });
    const started = performance.now();
    const rows = await this.pool.query<CompiledRow>(compiled.sql, compiled.params).then((r) => r.rows, (err: unknown) => { throw queryError(err); });
    const { value, after } = takePage(compiled, rows);
    return {
      valueJson: pageJson(value),
      continuationToken: after ? `${AS_OF_TOKEN_PREFIX}${this.tokens.issue({ query: position.query, after, returned: position.returned + value.length, asOf: at })}` : null,
      charge: Math.round((1 + (performance.now() - started) / 10 + value.length / 100) * 100) / 100,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

function requireQuery(query: string | undefined): string {
  if (typeof query !== 'string' || query.trim() === '') throw new DomainError('BadRequest', 'The request body must contain a query.');
  return query;
}

function queryError(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  if (code === '57014') return new DomainError('TimeoutError', 'The query took longer than the time allowed and was stopped. Narrow it (a $dtId anchor, fewer hops) and try again.');
  if (err instanceof DatabaseError && code?.startsWith('22')) return new DomainError('SqlQueryError', `The query cannot be evaluated: ${err.message}`);
  return err;
}
