import type { OrderItem } from '../ast';
import { invalidQueryError } from '../query-errors';
import { fromAndWhere, type CompilationContext } from './compilation-context';
import { afterKeyCondition, keyJson } from './keyset';
import type { QueryPage } from './page';
import { pageWindow } from './page';
import { compileRowObject } from './projection';
import type { QueryScope } from './query-scope';
import { identityColumns, jsonSortColumns, jsonSortJoin, orderByClause } from './sort-columns';
import type { SqlParameters } from './sql-parameters';
import { asJson, propertyValue } from './value-sql';

/**
 * Twins, relationships or projections, in keyset order: the ORDER BY values (extension), then
 * the ids of every bound twin and relationship. `key` carries that position, so a page starts
 * strictly after the previous page's last row, whatever was written in between.
 */
export function compileRowsQuery(context: CompilationContext, page: QueryPage | undefined): { sql: string; pageSize?: number } {
  const { query, graph, scope, params } = context;
  const row = compileRowObject(query.select, scope, params);
  const sortColumns = [
    ...query.orderBy.flatMap(({ descending }, index) => jsonSortColumns(`o${index}`, descending)),
    ...identityColumns(graph),
  ];
  const fromAndWhereLines = fromAndWhere(context, {
    joins: (p) => orderValueJoins(query.orderBy, scope, p),
    conditions: (p) => (page?.after ? [afterKeyCondition(sortColumns, page.after, p)] : []),
  });
  const window = pageWindow(query.top, page);
  const lines = [
    `SELECT ${row} AS row,`,
    `  ${keyJson(sortColumns)} AS key`,
    ...fromAndWhereLines,
    orderByClause(sortColumns),
    ...(window.fetch === undefined ? [] : [`LIMIT ${params.add(window.fetch, 'bigint')}`]),
  ];
  return { sql: lines.join('\n'), pageSize: window.size };
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
