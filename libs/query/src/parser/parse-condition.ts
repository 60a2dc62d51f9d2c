import type { Comparator, Condition, Literal } from '../ast';
import { parseFunctionCall } from './parse-function';
import { parseLiteral, parsePath } from './parse-terms';
import type { TokenStream } from './token-stream';

const COMPARATORS: readonly Comparator[] = ['=', '!=', '<', '>', '<=', '>='];

/** `condition := and (OR and)*`; AND binds tighter than OR, NOT tighter than both. */
export function parseCondition(tokens: TokenStream): Condition {
  const terms = [parseConjunction(tokens)];
  while (tokens.acceptKeyword('OR')) terms.push(parseConjunction(tokens));
  return terms.length === 1 ? terms[0] : { kind: 'or', terms };
}

function parseConjunction(tokens: TokenStream): Condition {
  const terms = [parseNegation(tokens)];
  while (tokens.acceptKeyword('AND')) terms.push(parseNegation(tokens));
  return terms.length === 1 ? terms[0] : { kind: 'and', terms };
}

function parseNegation(tokens: TokenStream): Condition {
  if (!tokens.acceptKeyword('NOT')) return parsePrimary(tokens);
  return tokens.nested(() => ({ kind: 'not', term: parseNegation(tokens) }));
}

function parsePrimary(tokens: TokenStream): Condition {
  if (tokens.acceptSymbol('(')) {
    const condition = tokens.nested(() => parseCondition(tokens));
    tokens.expectSymbol(')');
    return condition;
  }
  const token = tokens.peek();
  if (token.kind === 'identifier' && !token.escaped && tokens.atSymbol('(', 1)) return parseFunctionCall(tokens);
  return parsePredicate(tokens);
}

/** `path op literal`, `path IN [...]`, `path NIN [...]`. */
function parsePredicate(tokens: TokenStream): Condition {
  const path = parsePath(tokens);
  const { at } = path;
  const token = tokens.peek();
  const comparator = token.kind === 'symbol' ? COMPARATORS.find((c) => c === token.symbol) : undefined;
  if (comparator) {
    tokens.next();
    return { kind: 'compare', path, comparator, value: parseLiteral(tokens), at };
  }
  if (tokens.acceptKeyword('IN')) return { kind: 'in', path, negated: false, values: parseList(tokens), at };
  if (tokens.acceptKeyword('NIN')) return { kind: 'in', path, negated: true, values: parseList(tokens), at };
  throw tokens.mismatch('a comparison operator, IN or NIN');
}

/** `[literal, ...]`; empty lists are allowed (IN [] is never true). */
function parseList(tokens: TokenStream): Literal[] {
  tokens.expectSymbol('[');
  const values: Literal[] = [];
  if (tokens.acceptSymbol(']')) return values;
  do values.push(parseLiteral(tokens));
  while (tokens.acceptSymbol(','));
  tokens.expectSymbol(']');
  return values;
}
