import type { Condition, SourcePosition, StringFunction, TypeCheckFunction } from '../ast';
import { quoted } from '../query-errors';
import { parseLiteral, parsePath, parseStringLiteral } from './parse-terms';
import type { TokenStream } from './token-stream';

const TYPE_CHECKS: readonly TypeCheckFunction[] = [
  'IS_DEFINED', 'IS_NULL', 'IS_BOOL', 'IS_NUMBER', 'IS_STRING', 'IS_OBJECT', 'IS_PRIMITIVE',
];

/** Route filters spell these with an underscore; the query language without. We take both. */
const STRING_FUNCTIONS: ReadonlyMap<string, StringFunction> = new Map([
  ['STARTSWITH', 'STARTSWITH'],
  ['STARTS_WITH', 'STARTSWITH'],
  ['ENDSWITH', 'ENDSWITH'],
  ['ENDS_WITH', 'ENDSWITH'],
  ['CONTAINS', 'CONTAINS'],
]);

/** A WHERE function: the name token is next, followed by `(`. Names are case-insensitive. */
export function parseFunctionCall(tokens: TokenStream): Condition {
  const at = tokens.position();
  const nameToken = tokens.next();
  const name = nameToken.text.toUpperCase();
  tokens.expectSymbol('(');
  const condition = parseArguments(tokens, name, at);
  if (!condition) throw tokens.errorAt(nameToken, `unknown function ${quoted(nameToken.text)}`);
  tokens.expectSymbol(')');
  return condition;
}

function parseArguments(tokens: TokenStream, name: string, at: SourcePosition): Condition | undefined {
  if (name === 'IS_OF_MODEL') return parseIsOfModel(tokens, at);
  const typeCheck = TYPE_CHECKS.find((fn) => fn === name);
  if (typeCheck) return { kind: 'typeCheck', fn: typeCheck, path: parsePath(tokens), at };
  const stringFunction = STRING_FUNCTIONS.get(name);
  if (stringFunction) {
    const path = parsePath(tokens);
    tokens.expectSymbol(',');
    return { kind: 'stringMatch', fn: stringFunction, path, value: parseStringLiteral(tokens, 'a string literal'), at };
  }
  if (name === 'ARRAY_CONTAINS') {
    const path = parsePath(tokens);
    tokens.expectSymbol(',');
    return { kind: 'arrayContains', path, value: parseLiteral(tokens), at };
  }
  return undefined;
}

/** `IS_OF_MODEL([alias,] 'dtmi' [, exact])`. */
function parseIsOfModel(tokens: TokenStream, at: SourcePosition): Condition {
  let alias: string | undefined;
  if (tokens.peek().kind === 'identifier') {
    alias = tokens.expectName('a collection alias');
    tokens.expectSymbol(',');
  }
  const model = parseStringLiteral(tokens, 'a model id string');
  let exact = false;
  if (tokens.acceptSymbol(',')) {
    tokens.expectKeyword('EXACT');
    exact = true;
  }
  return { kind: 'isOfModel', alias, model, exact, at };
}
