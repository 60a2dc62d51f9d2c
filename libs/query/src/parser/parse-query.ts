import type { Query, SelectClause, SourcePosition } from '../ast';
import { tokenize } from '../lexer/lexer';
import { describeToken } from '../lexer/token';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../limits';
import { invalidQueryError } from '../query-errors';
import { parseExtendedOption, parseGroupBy, parseOrderBy } from './parse-extensions';
import { parseCondition } from './parse-condition';
import { parseFrom } from './parse-from';
import { parseSelectList } from './parse-select';
import { TokenStream } from './token-stream';

/**
 * `SELECT [TOP(n)] list FROM from [WHERE condition] [GROUP BY ...] [ORDER BY ...] [OPTION (EXTENDED)]`.
 * Throws `SqlQueryError` with ADT's message shape on the first syntax error.
 */
export function parseQuery(text: string, limits: QueryLimits = DEFAULT_QUERY_LIMITS): Query {
  if (text.length > limits.maxLength) {
    throw invalidQueryError(positionOf(text, limits.maxLength), `the query is ${text.length} characters long; the limit is ${limits.maxLength}`);
  }
  const tokens = new TokenStream(tokenize(text), limits.maxNestingDepth);
  if (!tokens.acceptKeyword('SELECT')) {
    const first = tokens.peek();
    throw first.kind === 'end' ? tokens.mismatch('SELECT') : tokens.errorAt(first, `missing SELECT at ${describeToken(first)}`);
  }
  const top = parseTop(tokens);
  const select: SelectClause = top !== undefined && tokens.atKeyword('FROM') ? { kind: 'all', at: tokens.position() } : parseSelectList(tokens);
  tokens.expectKeyword('FROM');
  const from = parseFrom(tokens);
  const where = tokens.acceptKeyword('WHERE') ? parseCondition(tokens) : undefined;
  const groupBy = parseGroupBy(tokens);
  const orderBy = parseOrderBy(tokens);
  const optionAt = parseExtendedOption(tokens);
  const rest = tokens.peek();
  if (rest.kind !== 'end') throw tokens.errorAt(rest, `extraneous input ${describeToken(rest)} expecting <EOF>`);
  return { top, select, from, where, groupBy, orderBy, extended: optionAt !== undefined, optionAt };
}

/** `TOP(n)`, n ≥ 1. */
function parseTop(tokens: TokenStream): number | undefined {
  if (!tokens.acceptKeyword('TOP')) return undefined;
  tokens.expectSymbol('(');
  const count = tokens.peek();
  const top = tokens.expectInteger('a positive whole number');
  if (top < 1) throw tokens.errorAt(count, 'TOP needs a positive whole number');
  tokens.expectSymbol(')');
  return top;
}

/** Line and column of a character offset (the first character beyond the length limit). */
function positionOf(text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\n|\r/);
  return { line: lines.length, column: lines[lines.length - 1].length };
}
