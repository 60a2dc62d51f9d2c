import { quoted } from '../query-errors';

export const SYMBOLS = ['..', '!=', '<=', '>=', '(', ')', '[', ']', ',', '.', '*', ':', '|', '-', '<', '>', '='] as const;

export type SymbolText = (typeof SYMBOLS)[number];

interface TokenBase {
  /** The token as written. */
  text: string;
  /** 1-based. */
  line: number;
  /** 0-based within the line, in UTF-16 units (ADT's `Position`). */
  column: number;
}

export type Token =
  | (TokenBase & { kind: 'identifier'; name: string; /** written as `[[name]]` */ escaped: boolean })
  | (TokenBase & { kind: 'string'; value: string })
  | (TokenBase & { kind: 'number'; value: number })
  | (TokenBase & { kind: 'symbol'; symbol: SymbolText })
  | (TokenBase & { kind: 'end' });

/** How a token is named in a parse error: ANTLR's style, `'<EOF>'` at the end. */
export function describeToken(token: Token): string {
  return token.kind === 'end' ? "'<EOF>'" : quoted(token.text);
}
