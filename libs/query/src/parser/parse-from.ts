import type { FromClause, Join } from '../ast';
import { isReservedWord } from '../lexer/reserved-words';
import { parseMatchPattern } from './parse-match';
import type { TokenStream } from './token-stream';

/** Words that follow a collection and so cannot be its alias unless escaped. */
const CLAUSE_WORDS = ['JOIN', 'MATCH', 'OPTION'];

/** `DIGITALTWINS [alias] (JOIN ...)* | DIGITALTWINS MATCH pattern | RELATIONSHIPS [alias]`. */
export function parseFrom(tokens: TokenStream): FromClause {
  const collectionAt = tokens.position();
  if (tokens.acceptKeyword('RELATIONSHIPS')) {
    const alias = parseOptionalAlias(tokens);
    if (tokens.atKeyword('JOIN') || tokens.atKeyword('MATCH')) throw tokens.errorAt(tokens.peek(), 'FROM RELATIONSHIPS cannot be combined with JOIN or MATCH');
    return { kind: 'relationships', alias, at: collectionAt };
  }
  if (!tokens.acceptKeyword('DIGITALTWINS')) throw tokens.mismatch('{DIGITALTWINS, RELATIONSHIPS}');
  const alias = parseOptionalAlias(tokens);
  if (tokens.atKeyword('MATCH')) {
    if (alias !== undefined) throw tokens.errorAt(tokens.peek(), 'MATCH names its twins inside the pattern; remove the collection alias before MATCH');
    const at = tokens.position();
    tokens.next();
    const pattern = parseMatchPattern(tokens);
    if (tokens.atKeyword('JOIN') || tokens.atKeyword('MATCH')) throw tokens.errorAt(tokens.peek(), 'a query has one MATCH and no JOIN beside it');
    return { kind: 'match', pattern, at };
  }
  const joins: Join[] = [];
  while (tokens.atKeyword('JOIN')) joins.push(parseJoin(tokens));
  if (tokens.atKeyword('MATCH')) throw tokens.errorAt(tokens.peek(), 'a query has one MATCH and no JOIN beside it');
  return { kind: 'twins', alias, joins, at: collectionAt };
}

/** `JOIN target RELATED source.relationshipName [relationshipAlias]`. */
function parseJoin(tokens: TokenStream): Join {
  const at = tokens.position();
  tokens.expectKeyword('JOIN');
  const target = tokens.expectName('a collection alias');
  tokens.expectKeyword('RELATED');
  const source = tokens.expectName('a collection alias');
  tokens.expectSymbol('.');
  const relationshipName = tokens.expectMemberName('a relationship name');
  return { target, source, relationshipName, relationshipAlias: parseOptionalAlias(tokens), at };
}

function parseOptionalAlias(tokens: TokenStream): string | undefined {
  const token = tokens.peek();
  if (token.kind !== 'identifier' || isReservedWord(token)) return undefined;
  if (!token.escaped && CLAUSE_WORDS.includes(token.name.toUpperCase())) return undefined;
  tokens.next();
  return token.name;
}
