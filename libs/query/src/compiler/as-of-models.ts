import type { Condition } from '../ast';
import type { QueryGraph } from './query-graph';
import type { QueryScope } from './query-scope';

/** The models every row's twin must have: `exact` compares the model id, else its ancestry. */
export interface ModelRestriction {
  models: string[];
  exact: boolean;
}

/**
 * What an `asOf` query over one twin collection says of its twins' model in a conjunct of its WHERE
 * clause (`IS_OF_MODEL(...)`, `$metadata.$model = '…'` or `IN [...]`). The history functions
 * rebuild only the twins that had such a model in the window they read, instead of the whole graph;
 * the condition itself is still compiled, so the answer is exact.
 */
export function modelRestriction(where: Condition | undefined, graph: QueryGraph, scope: QueryScope): ModelRestriction | undefined {
  if (!where || graph.relationships || graph.nodes.length !== 1 || graph.edges.length > 0) return undefined;
  for (const term of where.kind === 'and' ? where.terms : [where]) {
    const found = restrictionOf(term, scope);
    if (found) return found;
  }
  return undefined;
}

function restrictionOf(term: Condition, scope: QueryScope): ModelRestriction | undefined {
  switch (term.kind) {
    case 'and':
      return term.terms.map((t) => restrictionOf(t, scope)).find((r) => r !== undefined);
    case 'isOfModel':
      return { models: [term.model], exact: term.exact };
    case 'compare':
      return term.comparator === '=' && term.value.kind === 'string' && isModelPath(term.path, scope)
        ? { models: [term.value.value], exact: true }
        : undefined;
    case 'in': {
      if (term.negated || !isModelPath(term.path, scope)) return undefined;
      const models = term.values.flatMap((v) => (v.kind === 'string' ? [v.value] : []));
      return models.length === term.values.length ? { models, exact: true } : undefined;
    }
    default:
      return undefined;
  }
}

function isModelPath(path: Parameters<QueryScope['resolve']>[0], scope: QueryScope): boolean {
  const { collection, segments } = scope.resolve(path);
  return collection.kind === 'twin' && segments.length === 2 && segments[0] === '$metadata' && segments[1] === '$model';
}
