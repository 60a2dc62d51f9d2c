import type { OrderItem, PropertyPath, SourcePosition } from '../ast';
import { describeToken } from '../lexer/token';
import { parseAggregateCall } from './parse-select';
import { parsePath } from './parse-terms';
import type { TokenStream } from './token-stream';

/** Extension: `GROUP BY path (, path)*`. */
export function parseGroupBy(tokens: TokenStream): PropertyPath[] {
  if (!tokens.acceptKeyword('GROUP')) return [];
  tokens.expectKeyword('BY');
  const paths = [parsePath(tokens)];
  while (tokens.acceptSymbol(',')) paths.push(parsePath(tokens));
  return paths;
}

/** Extension: `ORDER BY (path | aggregate) [ASC | DESC] (, ...)*`. */
export function parseOrderBy(tokens: TokenStream): OrderItem[] {
  if (!tokens.acceptKeyword('ORDER')) return [];
  tokens.expectKeyword('BY');
  const items = [parseOrderItem(tokens)];
  while (tokens.acceptSymbol(',')) items.push(parseOrderItem(tokens));
  return items;
}

function parseOrderItem(tokens: TokenStream): OrderItem {
  const at = tokens.position();
  const aggregate = parseAggregateCall(tokens);
  const target: OrderItem['target'] = aggregate ? { kind: 'aggregate', aggregate } : { kind: 'path', path: parsePath(tokens) };
  const descending = tokens.acceptKeyword('DESC');
  if (!descending) tokens.acceptKeyword('ASC');
  return { target, descending, at };
}

/** Extension: a trailing `OPTION (EXTENDED)`; its position when present. */
export function parseExtendedOption(tokens: TokenStream): SourcePosition | undefined {
  if (!(tokens.atKeyword('OPTION') && tokens.atSymbol('(', 1))) return undefined;
  const at = tokens.position();
  tokens.next();
  tokens.next();
  const option = tokens.peek();
  if (!tokens.acceptKeyword('EXTENDED')) {
    throw tokens.errorAt(option, `unknown query option ${describeToken(option)}; the one option is EXTENDED`);
  }
  tokens.expectSymbol(')');
  return at;
}
