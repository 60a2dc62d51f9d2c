import type { AggregateCall, AggregateFunction, SelectClause, SelectItem } from '../ast';
import { parsePath } from './parse-terms';
import type { TokenStream } from './token-stream';

const AGGREGATES: readonly AggregateFunction[] = ['COUNT', 'SUM', 'AVG', 'MIN', 'MAX'];

/** `* | item (, item)*`, item := (path | aggregate) [AS name]. */
export function parseSelectList(tokens: TokenStream): SelectClause {
  const at = tokens.position();
  if (tokens.acceptSymbol('*')) return { kind: 'all', at };
  const items = [parseSelectItem(tokens)];
  while (tokens.acceptSymbol(',')) items.push(parseSelectItem(tokens));
  return { kind: 'items', items };
}

function parseSelectItem(tokens: TokenStream): SelectItem {
  const at = tokens.position();
  const aggregate = parseAggregateCall(tokens);
  const as = (): string | undefined => (tokens.acceptKeyword('AS') ? tokens.expectName('an output name') : undefined);
  if (aggregate) return { kind: 'aggregate', aggregate, as: as(), at };
  return { kind: 'path', path: parsePath(tokens), as: as(), at };
}

/** `COUNT()`, or (extension) `SUM|AVG|MIN|MAX(path)`; undefined when no aggregate is next. */
export function parseAggregateCall(tokens: TokenStream): AggregateCall | undefined {
  const fn = AGGREGATES.find((name) => tokens.atKeyword(name));
  if (!fn) return undefined;
  const at = tokens.position();
  tokens.next();
  tokens.expectSymbol('(');
  const path = fn === 'COUNT' ? undefined : parsePath(tokens);
  tokens.expectSymbol(')');
  return { fn, path, at };
}
