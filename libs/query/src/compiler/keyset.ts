import { invalidContinuationError } from '../query-errors';
import type { SortColumn } from './sort-columns';
import type { SqlParameters } from './sql-parameters';

/** The `key` column: the row's sort values as JSON array text (numerics as strings, to stay exact). */
export function keyJson(columns: SortColumn[]): string {
  return `json_build_array(${columns.map((c) => (c.type === 'numeric' ? `${c.sql}::text` : c.sql)).join(', ')})::text`;
}

/**
 * Rows strictly after `after` in the order of `columns`: a row comparison when every column
 * ascends (an index can serve it), else the expanded form `c1 > v1 OR (c1 = v1 AND (...))`.
 */
export function afterKeyCondition(columns: SortColumn[], after: unknown[], params: SqlParameters): string {
  if (after.length !== columns.length) throw invalidContinuationError();
  const values = columns.map((column, index) => params.add(checkedKeyValue(column, after[index]), column.type));
  if (columns.every((c) => !c.descending)) {
    return `(${columns.map((c) => c.sql).join(', ')}) > (${values.join(', ')})`;
  }
  let condition = '';
  for (let index = columns.length - 1; index >= 0; index--) {
    const { sql, descending } = columns[index];
    const beyond = `${sql} ${descending ? '<' : '>'} ${values[index]}`;
    condition = condition === '' ? beyond : `(${beyond} OR (${sql} = ${values[index]} AND ${condition}))`;
  }
  return condition;
}

function checkedKeyValue(column: SortColumn, value: unknown): unknown {
  const valid =
    column.type === 'text' ? typeof value === 'string' && !value.includes('\u0000')
    : column.type === 'integer' ? Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1
    : typeof value === 'string' && value.length <= 1000 && /^-?\d+(\.\d+)?$/.test(value);
  if (!valid) throw invalidContinuationError();
  return value;
}
