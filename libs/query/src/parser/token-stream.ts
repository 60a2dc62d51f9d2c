import type { DomainError } from '@odt/contracts';
import type { SourcePosition } from '../ast';
import { isKeyword, isReservedWord } from '../lexer/reserved-words';
import { describeToken, type SymbolText, type Token } from '../lexer/token';
import { queryParseError } from '../query-errors';

/** The parser's view of the tokens: look-ahead, expectations, and ADT-shaped parse errors. */
export class TokenStream {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly maxNestingDepth: number,
  ) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)];
  }

  /** Where the next token starts. */
  position(): SourcePosition {
    const { line, column } = this.peek();
    return { line, column };
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  atKeyword(word: string, ahead = 0): boolean {
    return isKeyword(this.peek(ahead), word);
  }

  atSymbol(symbol: SymbolText, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'symbol' && token.symbol === symbol;
  }

  /** Consumes the keyword if it is next. */
  acceptKeyword(word: string): boolean {
    if (!this.atKeyword(word)) return false;
    this.next();
    return true;
  }

  acceptSymbol(symbol: SymbolText): boolean {
    if (!this.atSymbol(symbol)) return false;
    this.next();
    return true;
  }

  expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.mismatch(word);
  }

  expectSymbol(symbol: SymbolText): void {
    if (!this.acceptSymbol(symbol)) throw this.mismatch(`'${symbol}'`);
  }

  /** A name that may stand where a keyword could: reserved words only as `[[word]]`. */
  expectName(what: string): string {
    const token = this.peek();
    if (token.kind !== 'identifier' || isReservedWord(token)) throw this.mismatch(what);
    this.next();
    return token.name;
  }

  /** A name after a dot or colon: there no keyword is possible, so reserved words are names too. */
  expectMemberName(what: string): string {
    const token = this.peek();
    if (token.kind !== 'identifier') throw this.mismatch(what);
    this.next();
    return token.name;
  }

  expectInteger(what: string): number {
    const token = this.peek();
    if (token.kind !== 'number' || !Number.isSafeInteger(token.value) || !/^\d+$/.test(token.text)) throw this.mismatch(what);
    this.next();
    return token.value;
  }

  /** Runs a nested parse (parentheses, NOT) and refuses to go deeper than the limit. */
  nested<T>(parse: () => T): T {
    if (++this.depth > this.maxNestingDepth) {
      throw this.errorAt(this.peek(), `the query nests deeper than ${this.maxNestingDepth} levels`);
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  mismatch(expected: string): DomainError {
    return this.errorAt(this.peek(), `mismatched input ${describeToken(this.peek())} expecting ${expected}`);
  }

  errorAt(token: Token, message: string): DomainError {
    return queryParseError(token.line, token.column, message);
  }
}
