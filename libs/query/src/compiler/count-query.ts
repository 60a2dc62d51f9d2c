import { invalidQueryError } from '../query-errors';
import { fromAndWhere, type CompilationContext } from './compilation-context';

/** ADT's `SELECT COUNT()`: one row `{"COUNT": n}`. */
export function compileCountQuery(context: CompilationContext): { sql: string } {
  const [order] = context.query.orderBy;
  if (order) throw invalidQueryError(order.at, 'SELECT COUNT() returns one row; ORDER BY has nothing to order');
  const { graph, tables, query } = context;
  if (!query.where && !graph.relationships && graph.nodes.length === 1 && graph.edges.length === 0 && tables.twinCount) {
    // Every twin: the count the twins service keeps, not a pass over all of them.
    return { sql: [`SELECT '{"COUNT":' || coalesce(sum(c.n), 0) || '}' AS row,`, `  '[]' AS key`, `FROM ${tables.twinCount} c`].join('\n') };
  }
  const conjuncts = !query.where ? [] : query.where.kind === 'and' ? query.where.terms : [query.where];
  const fromIndex = graph.nodes.length === 1 && graph.edges.length === 0 && !graph.relationships ? context.propertyIndex?.countOnly(conjuncts) : undefined;
  if (fromIndex) return { sql: [`SELECT '{"COUNT":' || c.n || '}' AS row,`, `  '[]' AS key`, `FROM (${fromIndex}) c`].join('\n') };
  const lines = [`SELECT '{"COUNT":' || count(*) || '}' AS row,`, `  '[]' AS key`, ...fromAndWhere(context)];
  return { sql: lines.join('\n') };
}
