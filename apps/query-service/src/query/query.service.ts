import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { DomainError, type QueryReply, type QueryRequest } from '@odt/contracts';
import { compileQuery, ContinuationTokens, pageJson, takePage, type CompiledQuery, type QueryLimits, type QueryPage } from '@odt/query';
import { QUERY_CONFIG, type QueryConfig } from '../config';
import { QueryRepository } from './query.repository';

/** First pages compiled lately, by page size and query text: SQL and parameters, never results. */
const COMPILED_FIRST_PAGES = 500;

/**
 * Runs a query page by page: compiles it (or the continuation's query) to parameterised SQL with a
 * keyset position, so pages never repeat or skip rows even while twins change between them.
 */
@Injectable()
export class QueryService {
  private readonly tokens: ContinuationTokens;
  private readonly limits: Partial<QueryLimits>;
  private readonly firstPages = new LRUCache<string, CompiledQuery>({ max: COMPILED_FIRST_PAGES });

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
    const compiled = this.compile(position.query, { after: position.after, limit: pageSize, returnedSoFar: position.returned });
    const started = performance.now();
    const { value, after } = takePage(compiled, await this.repo.run(compiled.sql, compiled.params, compiled.customPlan));
    return {
      valueJson: pageJson(value),
      continuationToken: after ? this.tokens.issue({ query: position.query, after, returned: position.returned + value.length }) : null,
      charge: queryCharge(performance.now() - started, value.length),
    };
  }

  /** The compiled statement; a first page seen lately is not compiled again (the text alone decides it). */
  private compile(text: string, page: QueryPage): CompiledQuery {
    if (page.after !== undefined) return compileQuery(text, { limits: this.limits, page });
    const key = `${page.limit} ${text}`;
    const known = this.firstPages.get(key);
    if (known) return known;
    const compiled = compileQuery(text, { limits: this.limits, page });
    this.firstPages.set(key, compiled);
    return compiled;
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
