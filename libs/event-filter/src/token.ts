export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type SymbolText = ComparisonOperator | '(' | ')' | ',' | '.' | '-';

/** One token; `position` is its 0-based character offset in the filter text. */
export type Token =
  | { kind: 'word'; text: string; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'number'; value: number; text: string; position: number }
  | { kind: 'symbol'; symbol: SymbolText; position: number }
  /** `$patch./a/b` (extension): the JSON pointer after `$patch.`. */
  | { kind: 'patch'; pointer: string; position: number }
  | { kind: 'end'; position: number };

export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = ['=', '!=', '<', '<=', '>', '>='];

export function isComparisonOperator(symbol: SymbolText): symbol is ComparisonOperator {
  return (COMPARISON_OPERATORS as readonly string[]).includes(symbol);
}

/** How a token is shown in an error message. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'word':
      return `'${token.text}'`;
    case 'string':
      return 'a string';
    case 'number':
      return `number ${token.text}`;
    case 'symbol':
      return `'${token.symbol}'`;
    case 'patch':
      return `'$patch.${token.pointer}'`;
    case 'end':
      return 'the end of the filter';
  }
}
