/** The size limits of a query (reference §6), each raisable per deployment. */
export interface QueryLimits {
  /** Characters of query text. */
  maxLength: number;
  /** Predicates combined with AND/OR in the WHERE clause. */
  maxTerms: number;
  /** Items of one IN/NIN list. */
  maxInItems: number;
  /** JOINs of an ADT query. */
  maxJoins: number;
  /** JOINs with `OPTION (EXTENDED)`. */
  maxExtendedJoins: number;
  /** Hops of a MATCH pattern, summed over its edges (upper bounds). */
  maxMatchHops: number;
  /** Parentheses and NOTs inside each other; ours, to keep parsing off the stack's edge. */
  maxNestingDepth: number;
}

export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxLength: 8000,
  maxTerms: 50,
  maxInItems: 50,
  maxJoins: 5,
  maxExtendedJoins: 10,
  maxMatchHops: 10,
  maxNestingDepth: 64,
});

export function queryLimits(overrides: Partial<QueryLimits> = {}): QueryLimits {
  return { ...DEFAULT_QUERY_LIMITS, ...overrides };
}
