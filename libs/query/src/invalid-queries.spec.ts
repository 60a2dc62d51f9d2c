import { compileQuery } from './compiler/compile-query';
import { domainErrorOf } from './testing/query-error';

const sixJoins =
  'SELECT B FROM DIGITALTWINS B JOIN C1 RELATED B.r JOIN C2 RELATED C1.r JOIN C3 RELATED C2.r JOIN C4 RELATED C3.r ' +
  "JOIN C5 RELATED C4.r JOIN C6 RELATED C5.r WHERE B.$dtId = 'b'";
const numbers = (count: number) => Array.from({ length: count }, (_, i) => i);

/** [what, query, line, position, message]: every one a 400 `SqlQueryError` in ADT's message shape. */
const INVALID: [string, string, number, number, string][] = [
  // Reference §4.5 #34 (ORDER BY is accepted here: it is one of our extensions)
  ['a subquery (#34)', 'SELECT * FROM (SELECT * FROM DIGITALTWINS T)', 1, 14, "mismatched input '(' expecting {DIGITALTWINS, RELATIONSHIPS}"],
  ['SELECT * with JOIN (#34)', "SELECT * FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'ABC'", 1, 7, 'SELECT * reads a single collection'],
  ['a JOIN without a $dtId anchor (#34)', 'SELECT T, CT FROM DIGITALTWINS T JOIN CT RELATED T.contains', 1, 33, 'must pin a twin by id'],
  ['an ORDER BY without a property', 'SELECT * FROM DIGITALTWINS T ORDER BY', 1, 37, "mismatched input '<EOF>' expecting a property"],
  // Syntax
  ['not a query', 'foo', 1, 0, "missing SELECT at 'foo'"],
  ['an empty query', '', 1, 0, "mismatched input '<EOF>' expecting SELECT"],
  ['an unterminated string', "SELECT * FROM DIGITALTWINS WHERE name = 'x", 1, 40, "unterminated string literal at ''x'"],
  ['a string ending in an escaped quote', "SELECT * FROM DIGITALTWINS WHERE x = 'a\\'", 1, 37, 'unterminated string literal'],
  ['an empty select list', 'SELECT FROM DIGITALTWINS', 1, 7, "mismatched input 'FROM' expecting a property or collection name"],
  ['a missing FROM', 'SELECT * DIGITALTWINS', 1, 9, "mismatched input 'DIGITALTWINS' expecting FROM"],
  ['an empty WHERE', 'SELECT * FROM DIGITALTWINS WHERE', 1, 32, "mismatched input '<EOF>' expecting a property or collection name"],
  ['a comparison without a value', 'SELECT * FROM DIGITALTWINS WHERE x = ', 1, 37, "mismatched input '<EOF>' expecting a literal"],
  ['a doubled operator', 'SELECT * FROM DIGITALTWINS WHERE x == 1', 1, 36, "mismatched input '=' expecting a literal"],
  ['an unclosed parenthesis', 'SELECT * FROM DIGITALTWINS WHERE (x = 1', 1, 39, "mismatched input '<EOF>' expecting ')'"],
  ['an unescaped reserved word', "SELECT * FROM DIGITALTWINS WHERE Group = 'a'", 1, 33, "mismatched input 'Group' expecting a property"],
  ['an IN list in parentheses', "SELECT * FROM DIGITALTWINS WHERE x IN ('a')", 1, 38, "mismatched input '(' expecting '['"],
  ['an unknown function', 'SELECT * FROM DIGITALTWINS WHERE FOO(x)', 1, 33, "unknown function 'FOO'"],
  ['a second statement', 'SELECT * FROM DIGITALTWINS; DROP TABLE twins', 1, 26, "token recognition error at: ';'"],
  ['a SQL comment', 'SELECT * FROM DIGITALTWINS -- comment', 1, 27, "extraneous input '-' expecting <EOF>"],
  ['a second collection', 'SELECT T FROM DIGITALTWINS T, DIGITALTWINS U', 1, 28, "extraneous input ',' expecting <EOF>"],
  ['trailing words', 'SELECT * FROM DIGITALTWINS WHERE x = 1 x', 1, 39, "extraneous input 'x' expecting <EOF>"],
  ['an error on a later line', 'SELECT *\nFROM DIGITALTWINS\nWHERE x = = 1', 3, 10, "mismatched input '=' expecting a literal"],
  ['TOP(0)', 'SELECT TOP(0) FROM DIGITALTWINS', 1, 11, 'TOP needs a positive whole number'],
  ['a fractional TOP', 'SELECT TOP(1.5) FROM DIGITALTWINS', 1, 11, "mismatched input '1.5' expecting a positive whole number"],
  ['a non-string STARTSWITH argument', 'SELECT * FROM DIGITALTWINS WHERE STARTSWITH(x, 1)', 1, 47, "mismatched input '1' expecting a string literal"],
  ['an unknown OPTION', 'SELECT * FROM DIGITALTWINS T OPTION (FAST)', 1, 37, "unknown query option 'FAST'"],
  ['JOIN after FROM RELATIONSHIPS', 'SELECT * FROM RELATIONSHIPS R JOIN X RELATED R.y', 1, 30, 'FROM RELATIONSHIPS cannot be combined with JOIN or MATCH'],
  ['a collection alias before MATCH', "SELECT * FROM DIGITALTWINS T MATCH (A) WHERE A.$dtId = 'a'", 1, 29, 'remove the collection alias before MATCH'],
  // MATCH
  ['an empty hop range', "SELECT A FROM DIGITALTWINS MATCH (A)-[*3..3]-(B) WHERE A.$dtId = 'x'", 1, 38, 'no path has *3..3 hops'],
  ['an arrow pointing both ways', "SELECT A FROM DIGITALTWINS MATCH (A)<-[]->(B) WHERE A.$dtId = 'x'", 1, 41, 'not both ways'],
  ['names without a colon', "SELECT * FROM DIGITALTWINS MATCH (A)-[x|y]->(B) WHERE A.$dtId = 'a'", 1, 39, "mismatched input '|' expecting ']'"],
  ['a relationship variable on several hops', "SELECT A, B FROM DIGITALTWINS MATCH (A)-[r*2]->(B) WHERE A.$dtId = 'x'", 1, 39, "the relationship variable 'r' needs a single-hop"],
  ['MATCH without an anchor', "SELECT * FROM DIGITALTWINS MATCH (A) WHERE A.$dtId = 'a' OR A.x = 1", 1, 27, 'must pin a twin by id'],
  // Names and projections
  ['an unknown alias', "SELECT X.name FROM DIGITALTWINS T JOIN C RELATED T.r WHERE T.$dtId = 'a'", 1, 7, "unknown collection alias 'X'"],
  ['an alias declared twice', "SELECT T FROM DIGITALTWINS T JOIN T RELATED T.x WHERE T.$dtId = 'a'", 1, 29, "the alias 'T' is declared twice"],
  ['a JOIN from a relationship', "SELECT T FROM DIGITALTWINS T JOIN C RELATED T.x R JOIN D RELATED R.y WHERE T.$dtId='a'", 1, 50, "'R' is a relationship"],
  ['two projections with one name', "SELECT T.a, C.a FROM DIGITALTWINS T JOIN C RELATED T.x WHERE T.$dtId = 'a'", 1, 12, "two projections are named 'a'"],
  ['a collection compared', 'SELECT * FROM DIGITALTWINS T WHERE T = 1', 1, 35, "'T' is a collection, not a property"],
  ['IS_OF_MODEL of an unknown alias', "SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(X, 'dtmi:a;1')", 1, 35, "unknown collection alias 'X'"],
  ['IS_OF_MODEL without an alias among several twins', "SELECT T FROM DIGITALTWINS T JOIN C RELATED T.x WHERE IS_OF_MODEL('dtmi:a;1') AND T.$dtId = 'a'", 1, 54, 'IS_OF_MODEL needs a collection alias'],
  ['IS_OF_MODEL on relationships', "SELECT * FROM RELATIONSHIPS WHERE IS_OF_MODEL('dtmi:a;1')", 1, 34, 'IS_OF_MODEL tests twins'],
  // Extensions used wrongly
  ['ORDER BY with COUNT()', 'SELECT COUNT() FROM DIGITALTWINS ORDER BY x', 1, 42, 'SELECT COUNT() returns one row'],
  ['a property beside an aggregate', 'SELECT T.a, COUNT() FROM DIGITALTWINS T', 1, 7, "'T.a' is neither in GROUP BY nor inside an aggregate"],
  ['SELECT * with GROUP BY', "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'a' GROUP BY T.x", 1, 7, 'SELECT * cannot be grouped'],
  ['ORDER BY an aggregate without aggregates', 'SELECT T FROM DIGITALTWINS T ORDER BY COUNT()', 1, 38, 'ORDER BY COUNT() needs an aggregate query'],
  // Limits (reference §6)
  ['six JOINs', sixJoins, 1, 133, 'the query has 6 JOINs; the limit is 5 (OPTION (EXTENDED) allows 10)'],
  ['more than 10 MATCH hops', "SELECT A FROM DIGITALTWINS MATCH (A)-[*..6]->(B)-[*..5]->(C) WHERE A.$dtId = 'x'", 1, 48, 'the MATCH pattern spans more than 10 hops'],
  ['51 IN items', `SELECT * FROM DIGITALTWINS T WHERE T.x IN [${numbers(51).join(',')}]`, 1, 35, 'an IN list has 51 items; the limit is 50'],
  ['51 terms', `SELECT * FROM DIGITALTWINS T WHERE ${numbers(51).map((i) => `T.x = ${i}`).join(' OR ')}`, 1, 625, 'the WHERE clause has more than 50 terms'],
  ['8,001 characters', `SELECT * FROM DIGITALTWINS T WHERE T.x = '${'a'.repeat(7958)}'`, 1, 8000, 'the query is 8001 characters long; the limit is 8000'],
  ['100 nested parentheses', `SELECT * FROM DIGITALTWINS WHERE ${'('.repeat(100)}x = 1${')'.repeat(100)}`, 1, 98, 'the query nests deeper than 64 levels'],
];

describe('invalid queries', () => {
  it.each(INVALID)('rejects %s with SqlQueryError, Line and Position', (_what, query, line, position, message) => {
    const error = domainErrorOf(() => compileQuery(query));
    expect(error.code).toBe('SqlQueryError');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^SQL query parse failed: SQL Parser Error, Line=\d+, Position=\d+, Message=.+\. See samples in http:\/\/aka\.ms\/adtv2query$/);
    expect(error.message).toContain(`Line=${line}, Position=${position}, Message=`);
    expect(error.message).toContain(message);
  });

  it('accepts what the limits allow: 50 IN items, 50 terms, 8,000 characters, 5 JOINs', () => {
    expect(() => compileQuery(`SELECT * FROM DIGITALTWINS T WHERE T.x IN [${numbers(50).join(',')}]`)).not.toThrow();
    expect(() => compileQuery(`SELECT * FROM DIGITALTWINS T WHERE ${numbers(50).map((i) => `T.x = ${i}`).join(' OR ')}`)).not.toThrow();
    expect(() => compileQuery(`SELECT * FROM DIGITALTWINS T WHERE T.x = '${'a'.repeat(7957)}'`)).not.toThrow();
    expect(() => compileQuery(sixJoins.replace(' JOIN C6 RELATED C5.r', ''))).not.toThrow();
  });

  it('takes the limits from the options', () => {
    const message = (query: string, limits: object) => domainErrorOf(() => compileQuery(query, { limits })).message;
    const twins = 'SELECT * FROM DIGITALTWINS T WHERE';
    expect(message(`${twins} T.x = 1`, { maxLength: 30 })).toContain('the query is 42 characters long; the limit is 30');
    expect(message(`${twins} T.a = 1 OR T.b = 1`, { maxTerms: 1 })).toContain('more than 1 terms');
    expect(message(`${twins} T.a IN [1, 2]`, { maxInItems: 1 })).toContain('the limit is 1');
    expect(message(`${twins} ((T.a = 1))`, { maxNestingDepth: 1 })).toContain('deeper than 1 levels');
    expect(message("SELECT T FROM DIGITALTWINS T JOIN A RELATED T.c WHERE T.$dtId = 'x'", { maxJoins: 0 })).toContain('the limit is 0');
    expect(message("SELECT A FROM DIGITALTWINS MATCH (A)-[*3]-(B) WHERE A.$dtId = 'x'", { maxMatchHops: 2 })).toContain('more than 2 hops');
  });

  it('lets OPTION (EXTENDED) lift the anchor rule and allow up to 10 JOINs', () => {
    expect(() => compileQuery('SELECT T, CT FROM DIGITALTWINS T JOIN CT RELATED T.contains OPTION (EXTENDED)')).not.toThrow();
    expect(() => compileQuery("SELECT A, B FROM DIGITALTWINS MATCH (A)-[*..3]->(B) WHERE A.x = 1 OPTION (EXTENDED)")).not.toThrow();
    expect(() => compileQuery(`${sixJoins} OPTION (EXTENDED)`)).not.toThrow();
  });

  it('refuses every extension when extensions are off', () => {
    const refused = (query: string) => domainErrorOf(() => compileQuery(query, { extensions: false })).message;
    expect(refused('SELECT * FROM DIGITALTWINS T ORDER BY T.x')).toContain('Position=38, Message=ORDER BY is an extension');
    expect(refused('SELECT T.x FROM DIGITALTWINS T GROUP BY T.x')).toContain('GROUP BY is an extension');
    expect(refused('SELECT SUM(T.x) FROM DIGITALTWINS T')).toContain('SUM() is an extension');
    expect(refused('SELECT COUNT() AS n FROM DIGITALTWINS T')).toContain('COUNT() with AS');
    expect(refused('SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x OPTION (EXTENDED)')).toContain('OPTION (EXTENDED) is an extension');
    expect(() => compileQuery('SELECT COUNT() FROM DIGITALTWINS', { extensions: false })).not.toThrow();
  });
});
