import type { SqlParameters } from './sql-parameters';

/** ` AND r.name = …` for a named relationship condition, '' for any name. */
export function relationshipNameFilter(sqlAlias: string, names: string[], params: SqlParameters): string {
  if (names.length === 0) return '';
  if (names.length === 1) return ` AND ${sqlAlias}.name = ${params.add(names[0], 'text')}`;
  return ` AND ${sqlAlias}.name = ANY(${params.add(names, 'text[]')})`;
}
