import type { Condition, OrderItem } from '../ast';
import { invalidQueryError } from '../query-errors';
import { fromAndWhere, type CompilationContext } from './compilation-context';
import { afterKeyCondition, keyJson } from './keyset';
import type { QueryPage } from './page';
import { pageWindow } from './page';
import { compileRowObject } from './projection';
import type { QueryScope } from './query-scope';
import { identityColumns, jsonSortColumns, jsonSortJoin, orderByClause, type SortColumn } from './sort-columns';
import type { SqlParameters } from './sql-parameters';
import { asJson, propertyValue } from './value-sql';

/** Candidates from the property index up to this many: a page starts from them; more, it walks the rows in page order. */
export const MAX_CANDIDATES = 10_000;

/**
 * Twins, relationships or projections, in keyset order: the ORDER BY values (extension), then
 * the ids of every bound twin and relationship. `key` carries that position, so a page starts
 * strictly after the previous page's last row, whatever was written in between.
 */
export function compileRowsQuery(context: CompilationContext, page: QueryPage | undefined, maxCandidates = MAX_CANDIDATES): { sql: string; pageSize?: number } {
  const { query, graph, params, propertyIndex } = context;
  const sortColumns = [
    ...query.orderBy.flatMap(({ descending }, index) => jsonSortColumns(`o${index}`, descending)),
    ...identityColumns(graph),
  ];
  const window = pageWindow(query.top, page);
  const conjuncts = !query.where ? [] : query.where.kind === 'and' ? query.where.terms : [query.where];
  const driving = window.fetch !== undefined ? propertyIndex?.drivingConjuncts(conjuncts) ?? [] : [];
  if (!propertyIndex || driving.length === 0) return { sql: rowsSelect(context, page, sortColumns, window.fetch).join('\n'), pageSize: window.size };
  // A filter the index answers: how many twins it selects decides the plan, and Postgres cannot
  // tell 40 from 40,000 in advance (its statistics mix every path's values). So count them, up
  // to MAX_CANDIDATES, then run one of two branches: few, start from those twins (an array of
  // ids the planner takes for a handful: an index scan in page order that stops at the page);
  // many, walk the rows in page order and test the filter on each. The other branch gets LIMIT 0,
  // which ends it before it starts anything (a WHERE gate would still start parallel workers).
  if (!(Number.isSafeInteger(maxCandidates) && maxCandidates >= 0)) throw new TypeError('maxCandidates must be a whole number');
  const candidates = propertyIndex.candidates(driving, maxCandidates + 1);
  const count = propertyIndex.candidateCount();
  propertyIndex.plan = { driving, drivingIds: leadingCandidates(context, driving, conjuncts.length, sortColumns, page, window.fetch) };
  const few = rowsSelect(context, page, sortColumns, window.fetch, `${count} <= ${maxCandidates}`);
  propertyIndex.plan = { onDocuments: driving[0] };
  const many = rowsSelect(context, page, sortColumns, window.fetch, `${count} > ${maxCandidates}`);
  propertyIndex.plan = {};
  const sorted = sortColumns.map((column, index) => ({ ...column, sql: `u.s${index}` }));
  const sql = [
    `WITH ${candidates}`,
    'SELECT u.row, u.key FROM (',
    '(', ...few, ')', 'UNION ALL', '(', ...many, ')',
    ') u',
    orderByClause(sorted),
    `LIMIT ${params.add(window.fetch, 'bigint')}`,
  ];
  return { sql: sql.join('\n'), pageSize: window.size };
}

/**
 * When the driving twin's id leads the page order, a page needs only the candidates past the
 * previous page's last id; and when the driving conjuncts are the whole filter of the only collection
 * (every candidate is one row: a twin has one index row per path, and rows there exactly while it
 * exists), only the first `fetch` of them, a top-N sort. Without this, `id = ANY(every candidate)`
 * sorts them all first (text comparisons under the database's collation): 6.7 ms of the 13 ms of
 * a range filter with 7,840 matches at 1M twins. An OR's candidates may repeat (UNION ALL): never bounded.
 */
function leadingCandidates(
  context: CompilationContext,
  driving: readonly Condition[],
  conjunctCount: number,
  sortColumns: SortColumn[],
  page: QueryPage | undefined,
  fetch: number | undefined,
): (() => string) | undefined {
  const { query, graph, params, propertyIndex } = context;
  if (!propertyIndex || query.orderBy.length > 0 || graph.nodes[0] === undefined || propertyIndex.twinOf(driving[0]) !== graph.nodes[0]) return undefined;
  const after = page?.after?.[0];
  const whole = fetch !== undefined && graph.collections.length === 1 && conjunctCount === driving.length && driving[0].kind !== 'or';
  if (typeof after !== 'string' && !whole) return undefined;
  // Parameters are added when the condition is written, so that they ascend in the SQL text.
  return () => propertyIndex.candidateIds(
    typeof after === 'string' ? params.add(after, 'text') : undefined,
    sortColumns.length > 1,
    whole ? params.add(fetch, 'bigint') : undefined,
  );
}

/** One SELECT of the page; with `gate`, limited to 0 rows unless it holds, and the sort values as `s0, s1…` for an outer ORDER BY. */
function rowsSelect(context: CompilationContext, page: QueryPage | undefined, sortColumns: SortColumn[], fetch: number | undefined, gate?: string): string[] {
  const { query, scope, params } = context;
  const row = compileRowObject(query.select, scope, params);
  const fromAndWhereLines = fromAndWhere(context, {
    joins: (p) => orderValueJoins(query.orderBy, scope, p),
    conditions: (p) => (page?.after ? [afterKeyCondition(sortColumns, page.after, p)] : []),
  });
  const limit = fetch === undefined ? undefined : params.add(fetch, 'bigint');
  return [
    `SELECT ${row} AS row,`,
    `  ${keyJson(sortColumns)} AS key${gate ? sortColumns.map((c, i) => `, ${c.sql} AS s${i}`).join('') : ''}`,
    ...fromAndWhereLines,
    orderByClause(sortColumns),
    ...(limit === undefined ? [] : [gate ? `LIMIT CASE WHEN ${gate} THEN ${limit} ELSE 0 END` : `LIMIT ${limit}`]),
  ];
}

/** Extension: each ORDER BY value, computed once per row in a LATERAL subquery (o0, o1…). */
function orderValueJoins(orderBy: OrderItem[], scope: QueryScope, params: SqlParameters): string[] {
  return orderBy.map(({ target, at }, index) => {
    if (target.kind === 'aggregate') {
      throw invalidQueryError(at, `ORDER BY ${target.aggregate.fn}() needs an aggregate query (GROUP BY, or aggregates in SELECT)`);
    }
    return jsonSortJoin(asJson(propertyValue(scope.resolve(target.path), params)), `o${index}`);
  });
}
