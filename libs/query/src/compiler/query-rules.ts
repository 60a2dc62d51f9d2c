import type { Condition, Query, SourcePosition } from '../ast';
import type { QueryLimits } from '../limits';
import { invalidQueryError } from '../query-errors';

/** Limits and switches checked on the syntax tree, before any name is resolved. */
export function checkQueryRules(query: Query, limits: QueryLimits, extensions: boolean): void {
  if (query.where) checkConditionSize(query.where, limits);
  if (!extensions) {
    const extension = extensionIn(query);
    if (extension) throw invalidQueryError(extension.at, `${extension.name} is an extension to the ADT query language, and extensions are disabled`);
  }
}

/** ADT counts the predicates joined by AND/OR, and the items of each IN/NIN list. */
function checkConditionSize(where: Condition, limits: QueryLimits): void {
  let terms = 0;
  const visit = (condition: Condition): void => {
    if (condition.kind === 'and' || condition.kind === 'or') return condition.terms.forEach(visit);
    if (condition.kind === 'not') return visit(condition.term);
    if (condition.kind === 'in' && condition.values.length > limits.maxInItems) {
      throw invalidQueryError(condition.at, `an ${condition.negated ? 'NIN' : 'IN'} list has ${condition.values.length} items; the limit is ${limits.maxInItems}`);
    }
    if (++terms > limits.maxTerms) throw invalidQueryError(condition.at, `the WHERE clause has more than ${limits.maxTerms} terms`);
  };
  visit(where);
}

function extensionIn(query: Query): { name: string; at: SourcePosition } | undefined {
  if (query.orderBy.length > 0) return { name: 'ORDER BY', at: query.orderBy[0].at };
  if (query.groupBy.length > 0) return { name: 'GROUP BY', at: query.groupBy[0].at };
  if (query.optionAt) return { name: 'OPTION (EXTENDED)', at: query.optionAt };
  const items = query.select.kind === 'items' ? query.select.items : [];
  for (const item of items) {
    if (item.kind !== 'aggregate') continue;
    if (item.aggregate.fn !== 'COUNT') return { name: `${item.aggregate.fn}()`, at: item.at };
    if (item.as !== undefined || items.length > 1) return { name: 'COUNT() with AS or beside other projections', at: item.at };
  }
  return undefined;
}
