import type { EdgeDirection } from '../ast';
import type { GraphEdge, QueryGraph } from './query-graph';
import type { QueryTables } from './query-tables';
import type { RelationshipCollection, TwinCollection } from './query-scope';
import { relationshipNameFilter } from './relationship-names';
import type { SqlParameters } from './sql-parameters';
import { walkJoin } from './variable-hops';

/**
 * The FROM clause, starting at twin `start` (the anchored one) and following edges outward from
 * twins already bound, so each step is an index lookup from a known id and a multi-hop walk always
 * starts from a bound twin.
 */
export function compileFromClause(graph: QueryGraph, start: number, tables: QueryTables, params: SqlParameters): string {
  if (graph.relationships) return `FROM ${tables.relationships} ${graph.relationships.sqlAlias}`;
  const lines = [`FROM ${tables.twins} ${graph.nodes[start].sqlAlias}`];
  const bound = new Set([start]);
  const pending = [...graph.edges];
  while (pending.length > 0) {
    const index = pending.findIndex((edge) => bound.has(edge.from) !== bound.has(edge.to));
    if (index < 0) throw new Error('The query graph is not connected');
    const [edge] = pending.splice(index, 1);
    const forward = bound.has(edge.from);
    const near = graph.nodes[forward ? edge.from : edge.to];
    const far = graph.nodes[forward ? edge.to : edge.from];
    const direction = forward ? edge.direction : reversed(edge.direction);
    const distinctFrom = graph.distinctTwins ? [...bound].map((node) => graph.nodes[node]) : [];
    const { binding } = edge;
    const [steps, farId] = binding.kind === 'relationship'
      ? [[relationshipJoin(edge, binding.relationship, near, direction, tables, params)], farEnd(binding.relationship.sqlAlias, near, direction)]
      : [walkJoin(edge, binding.sqlAlias, near, direction, tables, params), `${binding.sqlAlias}.twin_id`];
    lines.push(...steps, twinJoin(far, farId, distinctFrom, tables));
    bound.add(forward ? edge.to : edge.from);
  }
  return lines.join('\n');
}

/** The relationships leaving (or reaching) the bound twin `near`. */
function relationshipJoin(
  edge: GraphEdge,
  relationship: RelationshipCollection,
  near: TwinCollection,
  direction: EdgeDirection,
  tables: QueryTables,
  params: SqlParameters,
): string {
  const r = relationship.sqlAlias;
  const n = near.sqlAlias;
  const on = direction === 'out'
    ? `${r}.source_id = ${n}.id`
    : direction === 'in' ? `${r}.target_id = ${n}.id` : `(${r}.source_id = ${n}.id OR ${r}.target_id = ${n}.id)`;
  return `JOIN ${tables.relationships} ${r} ON ${on}${relationshipNameFilter(r, edge.names, params)}`;
}

/** The id of the relationship's other end. */
function farEnd(r: string, near: TwinCollection, direction: EdgeDirection): string {
  if (direction === 'out') return `${r}.target_id`;
  if (direction === 'in') return `${r}.source_id`;
  return `CASE WHEN ${r}.source_id = ${near.sqlAlias}.id THEN ${r}.target_id ELSE ${r}.source_id END`;
}

/** The twin at the far end; in MATCH, not one the row already holds. */
function twinJoin(far: TwinCollection, id: string, distinctFrom: TwinCollection[], tables: QueryTables): string {
  const f = far.sqlAlias;
  const others = distinctFrom.map((twin) => `${twin.sqlAlias}.id`);
  const distinct = others.length === 0 ? '' : others.length === 1 ? ` AND ${f}.id <> ${others[0]}` : ` AND ${f}.id NOT IN (${others.join(', ')})`;
  return `JOIN ${tables.twins} ${f} ON ${f}.id = ${id}${distinct}`;
}

function reversed(direction: EdgeDirection): EdgeDirection {
  return direction === 'out' ? 'in' : direction === 'in' ? 'out' : 'any';
}
