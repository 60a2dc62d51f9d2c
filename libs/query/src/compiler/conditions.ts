import type { Condition, PropertyPath } from '../ast';
import {
  compileArrayContains,
  compileComparison,
  compileMembership,
  compileStringMatch,
  compileTypeCheck,
} from './predicates';
import type { QueryScope } from './query-scope';
import type { SqlParameters } from './sql-parameters';
import { propertyValue } from './value-sql';

/** A WHERE condition as a SQL boolean (NULL where ADT's result is undefined). */
export function compileCondition(condition: Condition, scope: QueryScope, params: SqlParameters): string {
  const value = (path: PropertyPath) => propertyValue(scope.resolve(path), params);
  switch (condition.kind) {
    case 'and':
    case 'or':
      return `(${condition.terms.map((term) => compileCondition(term, scope, params)).join(` ${condition.kind.toUpperCase()} `)})`;
    case 'not':
      return `NOT (${compileCondition(condition.term, scope, params)})`;
    case 'compare':
      return compileComparison(value(condition.path), condition.comparator, condition.value, params);
    case 'in':
      return compileMembership(value(condition.path), condition.negated, condition.values, params);
    case 'typeCheck':
      return compileTypeCheck(value(condition.path), condition.fn);
    case 'stringMatch':
      return compileStringMatch(value(condition.path), condition.fn, condition.value, params);
    case 'arrayContains':
      return compileArrayContains(value(condition.path), condition.value, params);
    case 'isOfModel': {
      const twin = scope.twin(condition.alias, condition.at);
      return condition.exact
        ? `${twin.sqlAlias}.model_id = ${params.add(condition.model, 'text')}`
        : `${twin.sqlAlias}.model_ancestry @> ARRAY[${params.add(condition.model, 'text')}]`;
    }
  }
}
