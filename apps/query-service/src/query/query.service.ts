import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { DomainError, type QueryReply, type QueryRequest } from '@odt/contracts';
import {
  compileQuery, ContinuationTokens, fromTemplate, literalsFitTemplate, pageJson, queryShape, shapeTemplate, takePage,
  type CompiledQuery, type QueryLimits, type QueryPage, type ShapeTemplate,
} from '@odt/query';
import { QUERY_CONFIG, type QueryConfig } from '../config';
import { QueryRepository } from './query.repository';

/** First pages compiled lately, by page size and query text: SQL and parameters, never results. */
const COMPILED_FIRST_PAGES = 500;
/** Query shapes (the text without its literals) seen lately, by page size: their statement template, or false. */
const COMPILED_SHAPES = 500;

/**
 * Runs a query page by page: compiles it (or the continuation's query) to parameterised SQL with a
 * keyset position, so pages never repeat or skip rows even while twins change between them.
 */
@Injectable()
export class QueryService {
  private readonly tokens: ContinuationTokens;
  private readonly limits: Partial<QueryLimits>;
  private readonly firstPages = new LRUCache<string, CompiledQuery>({ max: COMPILED_FIRST_PAGES });
  private readonly shapes = new LRUCache<string, ShapeTemplate | false>({ max: COMPILED_SHAPES });

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

  /**
   * The compiled statement. A first page is compiled once per shape: queries that differ only in
   * their string and number literals (a new `$dtId` each time) share one statement, their literals
   * its parameters, when the shape's statement was shown not to depend on the literals' values
   * (`shapeTemplate`); other shapes are compiled once per text seen lately.
   */
  private compile(text: string, page: QueryPage): CompiledQuery {
    const compile = (t: string) => compileQuery(t, { limits: this.limits, page });
    if (page.after !== undefined) return compile(text);
    const shape = text.length <= this.config.QUERY_MAX_LENGTH ? queryShape(text) : undefined;
    const shapeKey = shape && `${page.limit} ${shape.key}`;
    const template = shapeKey === undefined ? undefined : this.shapes.get(shapeKey);
    if (template && literalsFitTemplate(shape!.literals)) return fromTemplate(template, shape!.literals);
    const key = `${page.limit} ${text}`;
    const known = this.firstPages.get(key);
    if (known) return known;
    const compiled = compile(text);
    if (shapeKey !== undefined && template === undefined && literalsFitTemplate(shape!.literals)) {
      this.shapes.set(shapeKey, shapeTemplate(text, compiled, compile) ?? false);
    }
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
