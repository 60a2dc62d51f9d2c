import type { Literal, PropertyPath } from '../ast';
import type { TokenStream } from './token-stream';

/** `name(.member)*`: the first name may not be a reserved word, members may. */
export function parsePath(tokens: TokenStream): PropertyPath {
  const at = tokens.position();
  const segments = [tokens.expectName('a property or collection name')];
  while (tokens.acceptSymbol('.')) segments.push(tokens.expectMemberName('a property name'));
  return { segments, at };
}

/** `'text'`, a number (optionally negative), `true`, `false` or `null`. */
export function parseLiteral(tokens: TokenStream): Literal {
  const token = tokens.peek();
  if (token.kind === 'string') {
    tokens.next();
    return { kind: 'string', value: token.value };
  }
  if (token.kind === 'number') {
    tokens.next();
    return { kind: 'number', value: token.value };
  }
  const afterMinus = tokens.peek(1);
  if (tokens.atSymbol('-') && afterMinus.kind === 'number') {
    tokens.next();
    tokens.next();
    return { kind: 'number', value: -afterMinus.value };
  }
  if (tokens.acceptKeyword('TRUE')) return { kind: 'boolean', value: true };
  if (tokens.acceptKeyword('FALSE')) return { kind: 'boolean', value: false };
  if (tokens.acceptKeyword('NULL')) return { kind: 'null' };
  throw tokens.mismatch('a literal');
}

export function parseStringLiteral(tokens: TokenStream, what: string): string {
  const token = tokens.peek();
  if (token.kind !== 'string') throw tokens.mismatch(what);
  tokens.next();
  return token.value;
}
