import type { QueryGraph } from './query-graph';

/** One column of a row's ordering and keyset key. */
export interface SortColumn {
  sql: string;
  type: 'text' | 'integer' | 'numeric';
  descending: boolean;
}

/** What identifies a row of the FROM clause: every bound twin and relationship, in declaration order. */
export function identityColumns(graph: QueryGraph): SortColumn[] {
  const relationships = graph.relationships
    ? [graph.relationships]
    : graph.edges.flatMap(({ binding }) => (binding.kind === 'relationship' ? [binding.relationship] : []));
  return [
    ...graph.nodes.map((node) => ascendingText(`${node.sqlAlias}.id`)),
    // A relationship id is unique only within its source twin.
    ...relationships.flatMap((r) => [ascendingText(`${r.sqlAlias}.source_id`), ascendingText(`${r.sqlAlias}.relationship_id`)]),
  ];
}

/**
 * ORDER BY on JSON values, one total order across types: undefined < null < booleans (false <
 * true) < numbers (by value) < strings (by code point) < arrays < objects (both by their JSON
 * text). Three values — type rank, number, text — none ever NULL, so keyset row comparisons stay exact.
 */
export function jsonSortExpressions(json: string): { rank: string; number: string; text: string } {
  return {
    rank: `(CASE jsonb_typeof(${json}) WHEN 'null' THEN 1 WHEN 'boolean' THEN 2 WHEN 'number' THEN 3 WHEN 'string' THEN 4 WHEN 'array' THEN 5 WHEN 'object' THEN 6 ELSE 0 END)`,
    number: `(CASE WHEN jsonb_typeof(${json}) = 'number' THEN (${json})::numeric ELSE 0 END)`,
    text: `(CASE jsonb_typeof(${json}) WHEN 'string' THEN (${json}) #>> '{}' WHEN 'number' THEN '' ELSE COALESCE((${json})::text, '') END) COLLATE "C"`,
  };
}

/** The three sort values of a JSON value as columns `rank`, `number`, `text` of a LATERAL subquery. */
export function jsonSortJoin(json: string, alias: string): string {
  const { rank, number, text } = jsonSortExpressions('v');
  return [
    'CROSS JOIN LATERAL (',
    `  SELECT ${rank} AS rank, ${number} AS number, ${text} AS text`,
    `  FROM (SELECT ${json} AS v) AS sort_value`,
    `) AS ${alias}`,
  ].join('\n');
}

export function jsonSortColumns(alias: string, descending: boolean): SortColumn[] {
  return [
    { sql: `${alias}.rank`, type: 'integer', descending },
    { sql: `${alias}.number`, type: 'numeric', descending },
    { sql: `${alias}.text`, type: 'text', descending },
  ];
}

/** The sort expressions inline, for ORDER BY inside aggregates and of grouped rows. */
export function jsonSortOrder(json: string, descending: boolean): string {
  const direction = descending ? ' DESC' : '';
  const { rank, number, text } = jsonSortExpressions(json);
  return [rank, number, text].map((sql) => `${sql}${direction}`).join(', ');
}

export function orderByClause(columns: SortColumn[]): string {
  return `ORDER BY ${columns.map((c) => `${c.sql}${c.descending ? ' DESC' : ''}`).join(', ')}`;
}

function ascendingText(sql: string): SortColumn {
  return { sql, type: 'text', descending: false };
}
