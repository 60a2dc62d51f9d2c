import type { Condition, PropertyPath } from '../ast';
import type { QueryScope, TwinCollection } from './query-scope';

/**
 * The twins the WHERE clause pins by id: a `$dtId = 'x'` or `$dtId IN [...]` that must hold for
 * every row (a conjunct, or the same twin pinned in every branch of an OR). ADT requires one for
 * JOIN and MATCH; the compiler also starts its joins there.
 */
export function anchoredTwins(condition: Condition | undefined, scope: QueryScope): Set<TwinCollection> {
  if (!condition) return new Set();
  switch (condition.kind) {
    case 'and':
      return new Set(condition.terms.flatMap((term) => [...anchoredTwins(term, scope)]));
    case 'or': {
      const [first, ...rest] = condition.terms.map((term) => anchoredTwins(term, scope));
      return new Set([...first].filter((twin) => rest.every((anchors) => anchors.has(twin))));
    }
    case 'compare':
      return condition.comparator === '=' && condition.value.kind === 'string' ? idOf(condition.path, scope) : new Set();
    case 'in':
      return condition.negated ? new Set() : idOf(condition.path, scope);
    default:
      return new Set();
  }
}

function idOf(path: PropertyPath, scope: QueryScope): Set<TwinCollection> {
  const { collection, segments } = scope.resolve(path);
  return collection.kind === 'twin' && segments.length === 1 && segments[0] === '$dtId' ? new Set([collection]) : new Set();
}
