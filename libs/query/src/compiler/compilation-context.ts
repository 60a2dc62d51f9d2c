import type { Query } from '../ast';
import { compileCondition } from './conditions';
import { documentContainments } from './document-containment';
import { compileFromClause } from './graph-from';
import type { QueryGraph } from './query-graph';
import type { QueryScope } from './query-scope';
import type { QueryTables } from './query-tables';
import type { SqlParameters } from './sql-parameters';

/** What every part of one query's compilation shares. */
export interface CompilationContext {
  query: Query;
  graph: QueryGraph;
  scope: QueryScope;
  /** The node the joins start from (the anchored twin). */
  start: number;
  tables: QueryTables;
  params: SqlParameters;
}

/** What a query adds to its FROM and WHERE clauses (compiled in text order, so `$n` ascend). */
export interface FromAndWhereExtras {
  joins?: (params: SqlParameters) => string[];
  conditions?: (params: SqlParameters) => string[];
}

/** `FROM … JOIN …` and `WHERE …` lines, with the query's own conditions first. */
export function fromAndWhere(context: CompilationContext, extras: FromAndWhereExtras = {}): string[] {
  const { query, graph, scope, start, tables, params } = context;
  const from = [compileFromClause(graph, start, tables, params), ...(extras.joins?.(params) ?? [])];
  // Top-level conjuncts one per line, for the reader.
  const conjuncts = !query.where ? [] : query.where.kind === 'and' ? query.where.terms : [query.where];
  const conditions = [
    ...conjuncts.map((condition) => compileCondition(condition, scope, params)),
    ...documentContainments(conjuncts, scope, params),
    ...(extras.conditions?.(params) ?? []),
  ];
  return conditions.length > 0 ? [...from, `WHERE ${conditions.join('\n  AND ')}`] : from;
}
