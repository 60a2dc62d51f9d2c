import { DomainError } from '@odt/contracts';
import { tokenize } from './lexer';
import type { Token } from './token';

function kinds(text: string): string[] {
  return tokenize(text).map((token) => `${token.kind}:${tokenLabel(token)}`);
}

function tokenLabel(token: Token): string {
  switch (token.kind) {
    case 'identifier':
      return token.escaped ? `[[${token.name}]]` : token.name;
    case 'string':
      return JSON.stringify(token.value);
    case 'number':
      return String(token.value);
    case 'symbol':
      return token.symbol;
    case 'end':
      return '';
  }
}

function lexError(text: string): string {
  try {
    tokenize(text);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('SqlQueryError');
    return (err as DomainError).message;
  }
  throw new Error(`${text} was tokenized`);
}

describe('tokenize', () => {
  it('splits a query into identifiers, symbols, strings and numbers, ending with end', () => {
    expect(kinds("SELECT T.$dtId FROM DIGITALTWINS T WHERE T.x >= -1.5e2 AND T.y != 'a'")).toEqual([
      'identifier:SELECT', 'identifier:T', 'symbol:.', 'identifier:$dtId', 'identifier:FROM', 'identifier:DIGITALTWINS',
      'identifier:T', 'identifier:WHERE', 'identifier:T', 'symbol:.', 'identifier:x', 'symbol:>=', 'symbol:-', 'number:150',
      'identifier:AND', 'identifier:T', 'symbol:.', 'identifier:y', 'symbol:!=', 'string:"a"', 'end:',
    ]);
  });

  it('reads [[word]] as an escaped identifier and a lone [ as a symbol', () => {
    expect(kinds("[[Group]] IN ['a']")).toEqual(['identifier:[[Group]]', 'identifier:IN', 'symbol:[', 'string:"a"', 'symbol:]', 'end:']);
    expect(kinds('[[[Group]]]')).toEqual(['symbol:[', 'identifier:[[Group]]', 'symbol:]', 'end:']);
  });

  it('unescapes \\\' (and \\" and \\\\) inside strings and keeps other backslashes', () => {
    expect(tokenize("'D\\'Souza'")[0]).toMatchObject({ kind: 'string', value: "D'Souza" });
    expect(tokenize('"say \\"hi\\""')[0]).toMatchObject({ kind: 'string', value: 'say "hi"' });
    expect(tokenize("'C:\\temp\\\\x'")[0]).toMatchObject({ kind: 'string', value: 'C:\\temp\\x' });
    expect(tokenize("'it''s'").map((t) => t.kind)).toEqual(['string', 'string', 'end']);
  });

  it('replaces lone surrogates in strings and escaped names, keeping pairs', () => {
    expect(tokenize("'a\ud800b\udc00 😀'")[0]).toMatchObject({ value: 'a\ufffdb\ufffd 😀' });
    expect(tokenize('[[x\udfff]]')[0]).toMatchObject({ name: 'x\ufffd' });
  });

  it('reads hop ranges without taking the dots for decimals', () => {
    expect(kinds('*1..3')).toEqual(['symbol:*', 'number:1', 'symbol:..', 'number:3', 'end:']);
    expect(kinds('*..2')).toEqual(['symbol:*', 'symbol:..', 'number:2', 'end:']);
  });

  it('reads MATCH arrows as single-character symbols', () => {
    expect(kinds('(a)<-[r]-(b)-[]->(c)').filter((k) => k.startsWith('symbol')).join(' ')).toBe(
      'symbol:( symbol:) symbol:< symbol:- symbol:[ symbol:] symbol:- symbol:( symbol:) symbol:- symbol:[ symbol:] symbol:- symbol:> symbol:( symbol:)',
    );
  });

  it('accepts names in any script', () => {
    expect(kinds('T.température T.温度')).toEqual([
      'identifier:T', 'symbol:.', 'identifier:température', 'identifier:T', 'symbol:.', 'identifier:温度', 'end:',
    ]);
  });

  it('gives each token its 1-based line and 0-based position in the line', () => {
    const tokens = tokenize("SELECT *\r\nFROM DIGITALTWINS\n  WHERE x = 'a\nb' AND y = 1");
    const at = (text: string) => tokens.find((t) => t.text === text);
    expect(at('SELECT')).toMatchObject({ line: 1, column: 0 });
    expect(at('FROM')).toMatchObject({ line: 2, column: 0 });
    expect(at('WHERE')).toMatchObject({ line: 3, column: 2 });
    expect(at('AND')).toMatchObject({ line: 4, column: 3 });
    expect(tokens[tokens.length - 1]).toMatchObject({ kind: 'end', line: 4, column: 12 });
  });

  it.each([
    ['an unknown character', 'SELECT * FROM DIGITALTWINS;', 'Line=1, Position=26, Message=token recognition error at: \';\''],
    ['an unterminated string', "SELECT * FROM X WHERE a = 'abc", "Line=1, Position=26, Message=unterminated string literal at ''abc'"],
    ['a number too large for a double', 'SELECT TOP(1e999)', 'Line=1, Position=11, Message=number out of range'],
    ['a NUL in a string', "x = 'a\u0000'", 'Line=1, Position=4, Message=the NUL character is not allowed'],
    ['a NUL in an escaped name', '[[a\u0000]]', 'Line=1, Position=0, Message=the NUL character is not allowed'],
    ['a character on a later line', 'SELECT\n  #', 'Line=2, Position=2, Message=token recognition error at: \'#\''],
  ])('rejects %s with an ADT parse error', (_what, text, expected) => {
    const message = lexError(text);
    expect(message).toContain('SQL query parse failed: SQL Parser Error, ');
    expect(message).toContain(expected);
  });
});
