import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type QueryReply, type QueryRequest } from '@odt/contracts';
import { compileQuery, takePage, type QueryLimits } from '@odt/query';
import { QUERY_CONFIG, type QueryConfig } from '../config';
import { ContinuationTokens } from './continuation-token';
import { QueryRepository } from './query.repository';

/**
 * Runs a query page by page: compiles it (or the continuation's query) to parameterised SQL with a
 * keyset position, so pages never repeat or skip rows even while twins change between them.
 */
@Injectable()
export class QueryService {
  private readonly tokens: ContinuationTokens;
  private readonly limits: Partial<QueryLimits>;

  constructor(
    private readonly repo: QueryRepository,
    @Inject(QUERY_CONFIG) private readonly config: QueryConfig,
  ) {
    this.tokens = new ContinuationTokens(config.QUERY_TOKEN_SECRET);
    this.limits = { maxLength: config.QUERY_MAX_LENGTH, maxTerms: config.QUERY_MAX_TERMS, maxInItems: config.QUERY_MAX_IN_ITEMS };
  }

  async run(req: QueryRequest): Promise<QueryReply> {
    const position = req.continuationToken !== undefined
      ? this.tokens.read(req.continuationToken)
      : { query: requireQuery(req.query), after: undefined, returned: 0 };
    const pageSize = Math.min(Math.max(1, req.maxItemsPerPage), this.config.QUERY_MAX_PAGE_SIZE);
    const compiled = compileQuery(position.query, {
      limits: this.limits,
      page: { after: position.after, limit: pageSize, returnedSoFar: position.returned },
    });
    const started = performance.now();
    const { value, after } = takePage(compiled, await this.repo.run(compiled.sql, compiled.params));
    return {
      value,
      continuationToken: after ? this.tokens.issue({ query: position.query, after, returned: position.returned + value.length }) : null,
      charge: queryCharge(performance.now() - started, value.length),
    };
  }
}

function requireQuery(query: string | undefined): string {
  if (typeof query !== 'string' || query.trim() === '') throw new DomainError('BadRequest', 'The request body must contain a query.');
  return query;
}

/** ADT's Query Units are opaque; ours grow with the work done: time in the database and rows returned. */
function queryCharge(elapsedMs: number, rows: number): number {
  return Math.round((1 + elapsedMs / 10 + rows / 100) * 100) / 100;
}
