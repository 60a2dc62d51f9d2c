import type { Query } from '../ast';
import { queryLimits, type QueryLimits } from '../limits';
import { parseQuery } from '../parser/parse-query';
import { invalidQueryError } from '../query-errors';
import { compileAggregateQuery } from './aggregate-query';
import { anchoredTwins } from './anchor';
import { modelRestriction } from './as-of-models';
import type { CompilationContext } from './compilation-context';
import { compileCountQuery } from './count-query';
import type { QueryPage } from './page';
import { buildQueryGraph, type QueryGraph } from './query-graph';
import { PropertyIndex } from './property-index';
import { checkQueryRules } from './query-rules';
import { QueryScope } from './query-scope';
import { asOfTables, queryTables, type AsOfSources, type QueryTables } from './query-tables';
import { compileRowsQuery } from './rows-query';
import { SqlParameters } from './sql-parameters';

export interface CompileOptions {
  /** ADT's limits unless overridden. */
  limits?: Partial<QueryLimits>;
  /** Rows queries: the page to fetch. Without it, every row (up to TOP). */
  page?: QueryPage;
  tables?: Partial<QueryTables>;
  /** `false` accepts ADT's language only: no ORDER BY, GROUP BY, SUM/AVG/MIN/MAX, OPTION. Default `true`. */
  extensions?: boolean;
  /**
   * Extension: evaluate the query on the graph as it was at `at` (an instant Postgres reads as
   * `timestamptz`, the first parameter), reading the `sources` functions instead of the tables.
   */
  asOf?: { at: string; sources?: Partial<AsOfSources> };
  /**
   * A page whose filter the property index answers starts from the matching twins when there are
   * at most this many, else walks the rows in page order (default `MAX_CANDIDATES`, 10,000).
   */
  maxCandidates?: number;
}

/** `rows`: pageable rows; `count`: ADT's one-row `{"COUNT": n}`; `aggregate`: extension, one page. */
export type QueryKind = 'rows' | 'count' | 'aggregate';

export interface CompiledQuery {
  /**
   * Parameterised PostgreSQL; each result row has `row` (ADT's row shape) and `key` (its keyset
   * position, an array), both as JSON text.
   */
  sql: string;
  params: unknown[];
  kind: QueryKind;
  /**
   * Rows of this page (undefined: all). The SQL may fetch one more, only to tell that another page
   * follows: read the result with `takePage`.
   */
  pageSize?: number;
  /**
   * Plan it with its values each time, never with a prepared statement's generic plan: it reads
   * the property index, and whether a filter selects 40 twins or 400,000 decides whether to start
   * from the index or to walk the twins in page order.
   */
  customPlan: boolean;
}

/** Parses an ADT query and compiles it to one SQL statement; throws `SqlQueryError` when it is not valid. */
export function compileQuery(text: string, options: CompileOptions = {}): CompiledQuery {
  const limits = queryLimits(options.limits);
  const query = parseQuery(text, limits);
  checkQueryRules(query, limits, options.extensions ?? true);
  const graph = buildQueryGraph(query.from, query.extended, limits);
  const scope = new QueryScope(graph.collections);
  const params = new SqlParameters();
  const tables = options.asOf ? asOfQueryTables(options.asOf, query, graph, scope, params) : queryTables(options.tables);
  const propertyIndex = tables.twinProperties ? new PropertyIndex(tables.twinProperties, scope, params) : undefined;
  const context: CompilationContext = { query, graph, scope, start: startNode(query, graph, scope), tables, params, propertyIndex };
  const kind = queryKind(query);
  const compiled = kind === 'rows'
    ? compileRowsQuery(context, options.page, options.maxCandidates)
    : kind === 'count' ? compileCountQuery(context) : compileAggregateQuery(context);
  return { ...compiled, params: context.params.values, kind, customPlan: propertyIndex?.used ?? false };
}

/** The history functions an `asOf` query reads; one restricted to some models where the WHERE clause allows. */
function asOfQueryTables(asOf: NonNullable<CompileOptions['asOf']>, query: Query, graph: QueryGraph, scope: QueryScope, params: SqlParameters): QueryTables {
  const at = params.add(asOf.at, 'timestamptz');
  const restriction = modelRestriction(query.where, graph, scope);
  const models = restriction && { models: params.add(restriction.models, 'text[]'), exact: params.add(restriction.exact, 'boolean') };
  return asOfTables(at, asOf.sources, models);
}

/** The anchored twin, where the joins start; ADT requires one for JOIN and MATCH. */
function startNode(query: Query, graph: QueryGraph, scope: QueryScope): number {
  const anchors = anchoredTwins(query.where, scope);
  const anchored = graph.nodes.findIndex((node) => anchors.has(node));
  const needsAnchor = query.from.kind === 'match' || graph.edges.length > 0;
  if (needsAnchor && anchored < 0 && !query.extended) {
    const { from } = query;
    throw invalidQueryError(
      from.kind === 'twins' && from.joins.length > 0 ? from.joins[0].at : from.at,
      "a query with JOIN or MATCH must pin a twin by id in its WHERE clause (alias.$dtId = '…' or alias.$dtId IN […]); " +
        'OPTION (EXTENDED) lifts this rule',
    );
  }
  return Math.max(anchored, 0);
}

function queryKind(query: Query): QueryKind {
  const items = query.select.kind === 'items' ? query.select.items : [];
  const aggregates = items.filter((item) => item.kind === 'aggregate');
  if (aggregates.length === 0 && query.groupBy.length === 0) return 'rows';
  if (query.select.kind === 'all') throw invalidQueryError(query.select.at, 'SELECT * cannot be grouped; select the GROUP BY properties and aggregates');
  const [only] = items;
  const plainCount = items.length === 1 && only.kind === 'aggregate' && only.aggregate.fn === 'COUNT' && only.as === undefined;
  return plainCount && query.groupBy.length === 0 ? 'count' : 'aggregate';
}
