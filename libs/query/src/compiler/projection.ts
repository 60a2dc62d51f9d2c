import type { SelectClause, SelectItem } from '../ast';
import { invalidQueryError, quoted } from '../query-errors';
import type { QueryScope } from './query-scope';
import type { SqlParameters } from './sql-parameters';
import { collectionJson, jsonText, propertyValue } from './value-sql';

/**
 * The `row` of a rows query, as JSON text in ADT's shape: `SELECT *` gives the bare twin (or
 * relationship); projections give an object keyed by alias, property name or `AS` name, without
 * the keys of properties the row does not have (`concat_ws` skips the NULL members).
 */
export function compileRowObject(select: SelectClause, scope: QueryScope, params: SqlParameters): string {
  if (select.kind === 'all') {
    if (scope.collections.length !== 1) {
      throw invalidQueryError(select.at, 'SELECT * reads a single collection; with JOIN or MATCH, select the aliases (SELECT T, CT)');
    }
    return collectionJson(scope.collections[0]);
  }
  checkDistinctOutputNames(select.items);
  const members = select.items.map((item) => {
    if (item.kind !== 'path') throw new Error('An aggregate in a rows query');
    const resolved = scope.resolve(item.path);
    const value = resolved.segments.length === 0 ? collectionJson(resolved.collection) : jsonText(propertyValue(resolved, params));
    // The member's name arrives JSON-encoded with its colon: `"name":`.
    return `${params.add(`${JSON.stringify(outputName(item))}:`, 'text')} || ${value}`;
  });
  return `'{' || concat_ws(',',${ROW_PART_SEPARATOR}${members.join(`,${ROW_PART_SEPARATOR}`)}) || '}'`;
}

/** One projection per line in the SQL, for the reader. */
export const ROW_PART_SEPARATOR = '\n    ';

/** `{key: value}`, or `{}` when the value is SQL NULL (undefined). */
export function omittedWhenUndefined(key: string, json: string): string {
  return `(CASE WHEN ${json} IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(${key}, ${json}) END)`;
}

/** `AS name`, else the last name of the path (`T.comp.temp` → `temp`, `T` → `T`), else the function. */
export function outputName(item: SelectItem): string {
  if (item.as !== undefined) return item.as;
  return item.kind === 'path' ? item.path.segments[item.path.segments.length - 1] : item.aggregate.fn;
}

export function checkDistinctOutputNames(items: SelectItem[]): void {
  const seen = new Set<string>();
  for (const item of items) {
    const name = outputName(item);
    if (seen.has(name)) throw invalidQueryError(item.at, `two projections are named ${quoted(name)}; rename one with AS`);
    seen.add(name);
  }
}
