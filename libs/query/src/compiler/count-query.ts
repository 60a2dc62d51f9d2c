import { invalidQueryError } from '../query-errors';
import { fromAndWhere, type CompilationContext } from './compilation-context';

/** ADT's `SELECT COUNT()`: one row `{"COUNT": n}`. */
export function compileCountQuery(context: CompilationContext): { sql: string } {
  const [order] = context.query.orderBy;
  if (order) throw invalidQueryError(order.at, 'SELECT COUNT() returns one row; ORDER BY has nothing to order');
  const lines = [`SELECT '{"COUNT":' || count(*) || '}' AS row,`, `  '[]' AS key`, ...fromAndWhere(context)];
  return { sql: lines.join('\n') };
}
