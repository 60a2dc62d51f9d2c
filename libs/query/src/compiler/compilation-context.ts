import type { Condition, Query } from '../ast';
import { compileCondition } from './conditions';
import { compileFromClause } from './graph-from';
import type { PropertyIndex } from './property-index';
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
  /** Where property filters are answered from the property index (absent: from the documents). */
  propertyIndex?: PropertyIndex;
}

/** What a query adds to its FROM and WHERE clauses (compiled in text order, so `$n` ascend). */
export interface FromAndWhereExtras {
  joins?: (params: SqlParameters) => string[];
  conditions?: (params: SqlParameters) => string[];
}

/** `FROM … JOIN …` and `WHERE …` lines, with the query's own conditions first. */
export function fromAndWhere(context: CompilationContext, extras: FromAndWhereExtras = {}): string[] {
  const { query, graph, scope, start, tables, params, propertyIndex: index } = context;
  const from = [compileFromClause(graph, start, tables, params), ...(extras.joins?.(params) ?? [])];
  // Top-level conjuncts one per line, for the reader.
  const conjuncts = !query.where ? [] : query.where.kind === 'and' ? query.where.terms : [query.where];
  const exact = (condition: Condition) => compileCondition(condition, scope, params);
  const conditions = [
    ...conjuncts.map((condition) => index ? index.condition(condition, exact) : exact(condition)),
    ...(extras.conditions?.(params) ?? []),
  ];
  return conditions.length > 0 ? [...from, `WHERE ${conditions.join('\n  AND ')}`] : from;
}
