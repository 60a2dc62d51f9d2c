/**
 * The typed syntax tree of an ADT query, as written: names are not resolved yet (the compiler
 * decides whether `T.x` is alias `T` + property `x` or component `T` + property `x`).
 */

/** Where a construct starts in the query text: line from 1, column from 0 (ADT's `Position`). */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface Query {
  /** `TOP(n)`: the most rows the whole result holds, across pages. */
  top?: number;
  select: SelectClause;
  from: FromClause;
  where?: Condition;
  /** Extension: `GROUP BY path, ...`. */
  groupBy: PropertyPath[];
  /** Extension: `ORDER BY item [ASC|DESC], ...`. */
  orderBy: OrderItem[];
  /** Extension: `OPTION (EXTENDED)` lifts ADT's anchor and JOIN-count rules. */
  extended: boolean;
  /** Where `OPTION` starts, when present. */
  optionAt?: SourcePosition;
}

/** `SELECT *` (also `SELECT TOP(n)` without a list), or a list of projections. */
export type SelectClause = { kind: 'all'; at: SourcePosition } | { kind: 'items'; items: SelectItem[] };

export type SelectItem =
  | { kind: 'path'; path: PropertyPath; as?: string; at: SourcePosition }
  | { kind: 'aggregate'; aggregate: AggregateCall; as?: string; at: SourcePosition };

export type AggregateFunction = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

/** `COUNT()` has no argument; the extension aggregates take a property path. */
export interface AggregateCall {
  fn: AggregateFunction;
  path?: PropertyPath;
  at: SourcePosition;
}

export interface OrderItem {
  target: { kind: 'path'; path: PropertyPath } | { kind: 'aggregate'; aggregate: AggregateCall };
  descending: boolean;
  at: SourcePosition;
}

/** Dotted names as written: `T.comp.prop`, `$dtId`, `T.$metadata.$model`, `[[Group]]`. */
export interface PropertyPath {
  segments: string[];
  at: SourcePosition;
}

/** `at`: the collection keyword (DIGITALTWINS, RELATIONSHIPS), or MATCH. */
export type FromClause =
  | { kind: 'twins'; alias?: string; joins: Join[]; at: SourcePosition }
  | { kind: 'match'; pattern: MatchPattern; at: SourcePosition }
  | { kind: 'relationships'; alias?: string; at: SourcePosition };

/** `JOIN target RELATED source.relationshipName [relationshipAlias]`. */
export interface Join {
  target: string;
  source: string;
  relationshipName: string;
  relationshipAlias?: string;
  /** The JOIN keyword. */
  at: SourcePosition;
}

/** `(n0) edge0 (n1) edge1 (n2) ...`: `edges[i]` links `nodes[i]` and `nodes[i + 1]`. */
export interface MatchPattern {
  nodes: MatchNode[];
  edges: MatchEdge[];
}

/** `(alias)` or the anonymous `()`. */
export interface MatchNode {
  alias?: string;
  at: SourcePosition;
}

/** Direction from the left node to the right one: `-[]->` out, `<-[]-` in, `-[]-` either. */
export type EdgeDirection = 'out' | 'in' | 'any';

export interface MatchEdge {
  direction: EdgeDirection;
  variable?: string;
  /** Empty: any relationship name. */
  names: string[];
  hops: HopRange;
  at: SourcePosition;
}

/** Inclusive bounds, already converted from ADT's `*a..b` (a exclusive) notation. */
export interface HopRange {
  min: number;
  max: number;
}

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

export type Comparator = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type TypeCheckFunction =
  | 'IS_DEFINED'
  | 'IS_NULL'
  | 'IS_BOOL'
  | 'IS_NUMBER'
  | 'IS_STRING'
  | 'IS_OBJECT'
  | 'IS_PRIMITIVE';

export type StringFunction = 'STARTSWITH' | 'ENDSWITH' | 'CONTAINS';

/** Every predicate carries the position of its first token; AND/OR/NOT do not need one. */
export type Condition =
  | { kind: 'and'; terms: Condition[] }
  | { kind: 'or'; terms: Condition[] }
  | { kind: 'not'; term: Condition }
  | { kind: 'compare'; path: PropertyPath; comparator: Comparator; value: Literal; at: SourcePosition }
  | { kind: 'in'; path: PropertyPath; negated: boolean; values: Literal[]; at: SourcePosition }
  | { kind: 'isOfModel'; alias?: string; model: string; exact: boolean; at: SourcePosition }
  | { kind: 'typeCheck'; fn: TypeCheckFunction; path: PropertyPath; at: SourcePosition }
  | { kind: 'stringMatch'; fn: StringFunction; path: PropertyPath; value: string; at: SourcePosition }
  | { kind: 'arrayContains'; path: PropertyPath; value: Literal; at: SourcePosition };
