import type { EdgeDirection } from '../ast';
import type { GraphEdge } from './query-graph';
import type { QueryTables } from './query-tables';
import type { TwinCollection } from './query-scope';
import { relationshipNameFilter } from './relationship-names';
import type { SqlParameters } from './sql-parameters';

/**
 * A multi-hop MATCH edge (the far twin is joined on `twin_id`): a walk from the bound twin that reports each twin it reaches once, at
 * its shortest distance, when that distance lies in the hop range. This is ADT's "cycles are
 * traversed once; revisiting a twin may drop it": a twin already reached in fewer hops is not
 * reported again. `UNION` (not `UNION ALL`) keeps one row per (twin, depth), so the work grows
 * with twins × depth, not with the number of paths.
 */
export function walkJoin(
  edge: GraphEdge,
  walkAlias: string,
  near: TwinCollection,
  direction: EdgeDirection,
  tables: QueryTables,
  params: SqlParameters,
): string[] {
  const step = stepOf(direction);
  const names = relationshipNameFilter('step', edge.names, params);
  return [
    'CROSS JOIN LATERAL (',
    '  WITH RECURSIVE walk(twin_id, depth) AS (',
    `    SELECT ${near.sqlAlias}.id, 0`,
    '    UNION',
    `    SELECT ${step.next}, walk.depth + 1`,
    `    FROM walk JOIN ${tables.relationships} step ON ${step.on}${names}`,
    `    WHERE walk.depth < ${params.add(edge.hops.max, 'integer')}`,
    '  )',
    `  SELECT walk.twin_id FROM walk GROUP BY walk.twin_id HAVING min(walk.depth) >= ${params.add(edge.hops.min, 'integer')}`,
    `) ${walkAlias}`,
  ];
}

function stepOf(direction: EdgeDirection): { on: string; next: string } {
  switch (direction) {
    case 'out':
      return { on: 'step.source_id = walk.twin_id', next: 'step.target_id' };
    case 'in':
      return { on: 'step.target_id = walk.twin_id', next: 'step.source_id' };
    case 'any':
      return {
        on: '(step.source_id = walk.twin_id OR step.target_id = walk.twin_id)',
        next: 'CASE WHEN step.source_id = walk.twin_id THEN step.target_id ELSE step.source_id END',
      };
  }
}
