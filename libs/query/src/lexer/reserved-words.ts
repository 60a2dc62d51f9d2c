import type { Token } from './token';

/**
 * ADT's reserved words (reference §4.2): unescaped, they cannot be a bare property name or an
 * alias; `[[word]]` makes them names. Our extensions (ORDER BY, GROUP BY, SUM…) only use words
 * from this list, so no valid ADT query can mean something else here.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'ALL', 'AND', 'AS', 'ASC', 'AVG', 'BY', 'COUNT', 'DESC', 'DEVICES', 'DEVICES_JOBS', 'DEVICES_MODULES',
  'ENDS_WITH', 'FALSE', 'FROM', 'GROUP', 'IN', 'IS_BOOL', 'IS_DEFINED', 'IS_NULL', 'IS_NUMBER', 'IS_OBJECT',
  'IS_OF_MODEL', 'IS_PRIMITIVE', 'IS_STRING', 'MAX', 'MIN', 'NOT', 'NOT_IN', 'NULL', 'OR', 'ORDER', 'SELECT',
  'STARTS_WITH', 'SUM', 'TOP', 'TRUE', 'WHERE',
]);

/** The unescaped word `word` (keywords are case-insensitive). */
export function isKeyword(token: Token, word: string): boolean {
  return token.kind === 'identifier' && !token.escaped && token.name.toUpperCase() === word;
}

export function isReservedWord(token: Token): boolean {
  return token.kind === 'identifier' && !token.escaped && RESERVED_WORDS.has(token.name.toUpperCase());
}
