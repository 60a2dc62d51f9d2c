import type { EdgeDirection, FromClause, HopRange, Join, MatchPattern, SourcePosition } from '../ast';
import type { QueryLimits } from '../limits';
import { invalidQueryError, quoted } from '../query-errors';
import type { Collection, RelationshipCollection, TwinCollection } from './query-scope';

/**
 * What a FROM clause binds, as a graph: twins are nodes, JOINs and MATCH edges link them. A
 * single-hop edge binds its relationship (named or not: it tells rows apart); a multi-hop edge
 * binds only its far twin.
 */
export interface QueryGraph {
  nodes: TwinCollection[];
  edges: GraphEdge[];
  /** `FROM RELATIONSHIPS`: the one collection, no nodes. */
  relationships?: RelationshipCollection;
  /** Every collection, in the order the query declares them. */
  collections: Collection[];
  /** MATCH: a row binds each twin once (ADT drops twins a pattern revisits). */
  distinctTwins: boolean;
}

export interface GraphEdge {
  /** Node indexes; `direction` reads from `from` to `to`. */
  from: number;
  to: number;
  direction: EdgeDirection;
  names: string[];
  hops: HopRange;
  /** A single hop binds a relationship; a multi-hop edge is a walk subquery. */
  binding: { kind: 'relationship'; relationship: RelationshipCollection } | { kind: 'walk'; sqlAlias: string };
}

export function buildQueryGraph(from: FromClause, extended: boolean, limits: QueryLimits): QueryGraph {
  const graph = from.kind === 'relationships'
    ? relationshipsGraph(from.alias, from.at)
    : from.kind === 'match' ? matchGraph(from.pattern, limits) : joinGraph(from.alias, from.at, from.joins, extended, limits);
  const seen = new Set<string>();
  for (const { name, at } of graph.collections) {
    if (name === undefined) continue;
    if (seen.has(name)) throw invalidQueryError(at, `the alias ${quoted(name)} is declared twice`);
    seen.add(name);
  }
  return graph;
}

function relationshipsGraph(alias: string | undefined, at: SourcePosition): QueryGraph {
  const relationships: RelationshipCollection = { kind: 'relationship', sqlAlias: 'r0', name: alias, at };
  return { nodes: [], edges: [], relationships, collections: [relationships], distinctTwins: false };
}

function joinGraph(rootAlias: string | undefined, at: SourcePosition, joins: Join[], extended: boolean, limits: QueryLimits): QueryGraph {
  const limit = extended ? limits.maxExtendedJoins : limits.maxJoins;
  if (joins.length > limit) {
    const hint = extended ? '' : ` (OPTION (EXTENDED) allows ${limits.maxExtendedJoins})`;
    throw invalidQueryError(joins[limit].at, `the query has ${joins.length} JOINs; the limit is ${limit}${hint}`);
  }
  const nodes: TwinCollection[] = [{ kind: 'twin', sqlAlias: 't0', name: rootAlias, at }];
  const collections: Collection[] = [nodes[0]];
  const edges: GraphEdge[] = joins.map((join, index) => {
    const from = nodes.findIndex((node) => node.name === join.source);
    if (from < 0) {
      const relationship = collections.some((c) => c.name === join.source);
      throw invalidQueryError(join.at, relationship
        ? `JOIN follows relationships of a twin; ${quoted(join.source)} is a relationship`
        : `unknown collection alias ${quoted(join.source)} (a JOIN starts from a twin declared before it)`);
    }
    const target: TwinCollection = { kind: 'twin', sqlAlias: `t${index + 1}`, name: join.target, at: join.at };
    const relationship: RelationshipCollection = { kind: 'relationship', sqlAlias: `r${index}`, name: join.relationshipAlias, at: join.at };
    nodes.push(target);
    collections.push(target, relationship);
    const binding = { kind: 'relationship', relationship } as const;
    return { from, to: index + 1, direction: 'out', names: [join.relationshipName], hops: { min: 1, max: 1 }, binding };
  });
  return { nodes, edges, collections, distinctTwins: false };
}

function matchGraph(pattern: MatchPattern, limits: QueryLimits): QueryGraph {
  let hops = 0;
  for (const edge of pattern.edges) {
    hops += edge.hops.max;
    if (hops > limits.maxMatchHops) throw invalidQueryError(edge.at, `the MATCH pattern spans more than ${limits.maxMatchHops} hops`);
  }
  const nodes: TwinCollection[] = pattern.nodes.map((node, index) => ({ kind: 'twin', sqlAlias: `t${index}`, name: node.alias, at: node.at }));
  const collections: Collection[] = [...nodes];
  const edges: GraphEdge[] = pattern.edges.map((edge, index) => {
    const base = { from: index, to: index + 1, direction: edge.direction, names: edge.names, hops: edge.hops };
    if (edge.hops.min === 1 && edge.hops.max === 1) {
      const relationship: RelationshipCollection = { kind: 'relationship', sqlAlias: `r${index}`, name: edge.variable, at: edge.at };
      collections.push(relationship);
      return { ...base, binding: { kind: 'relationship', relationship } };
    }
    if (edge.variable !== undefined) {
      throw invalidQueryError(edge.at, `the relationship variable ${quoted(edge.variable)} needs a single-hop relationship condition`);
    }
    return { ...base, binding: { kind: 'walk', sqlAlias: `w${index}` } };
  });
  return { nodes, edges, collections, distinctTwins: true };
}
