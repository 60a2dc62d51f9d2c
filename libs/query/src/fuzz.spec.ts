import { DomainError } from '@odt/contracts';
import { ADT_EXAMPLES, EXTENSION_EXAMPLES } from './__fixtures__/adt-examples';
import { compileQuery, type CompileOptions } from './compiler/compile-query';
import { QueryGenerator } from './testing/query-generator';
import { Random } from './testing/random';

/** Characters and fragments that stress the lexer: quotes, SQL syntax, escapes, unicode, NUL. */
const NOISE = ["'", '"', ';', '--', '/*', '(', ')', '[', ']', '[[', ']]', '.', '..', ',', '*', '-', '>', '<', '=', '!', '|', ':', '\\',
  '$', '$1', ' ', '\n', '\r', '\t', '☃', '𝄞', '\u0000', '\u200b', '\ud800', 'é', '0', '9', '1e400', 'e', '%', '_'];
const VOCABULARY = ['SELECT', 'FROM', 'WHERE', 'DIGITALTWINS', 'RELATIONSHIPS', 'JOIN', 'RELATED', 'MATCH', 'AND', 'OR', 'NOT',
  'IN', 'NIN', 'TOP', 'COUNT', 'SUM', 'MIN', 'AS', 'ORDER', 'GROUP', 'BY', 'DESC', 'OPTION', 'EXTENDED', 'IS_OF_MODEL',
  'IS_DEFINED', 'IS_NULL', 'STARTSWITH', 'CONTAINS', 'ARRAY_CONTAINS', 'exact', 'T', 'C', 'T.x', 'T.$dtId', '$dtId',
  '$metadata.$model', '[[Group]]', "'a'", "'b\\'c'", '1', '-2.5', 'true', 'null', '*', '(', ')', '[', ']', ',', '.', '..',
  '->', '<-', '-[', ']-', ':', '|', '=', '!=', '<', '<=', '>=', '*2', '*1..3', '*..2', ';', '--'];

/** Compiles `text`; any failure must be a DomainError, and no marker may reach the SQL text. */
function compileSafely(text: string, markers: readonly string[], options?: CompileOptions): 'compiled' | 'rejected' {
  let sql: string;
  try {
    sql = compileQuery(text, options).sql;
  } catch (err) {
    if (err instanceof DomainError) return 'rejected';
    throw new Error(`${String(err)} for ${JSON.stringify(text)}`);
  }
  const leaked = markers.find((marker) => text.includes(marker) && sql.includes(marker));
  if (leaked) throw new Error(`User text ${leaked} reached the SQL of ${JSON.stringify(text)}`);
  return 'compiled';
}

function mutate(text: string, random: Random): string {
  let result = text;
  for (let i = random.int(1, 4); i > 0; i--) {
    const at = random.int(0, result.length);
    const span = random.int(1, 12);
    switch (random.int(0, 4)) {
      case 0:
        result = result.slice(0, at) + result.slice(at + span);
        break;
      case 1:
        result = result.slice(0, at) + random.pick(NOISE) + result.slice(at);
        break;
      case 2:
        result = `${result.slice(0, at)} ${random.pick(VOCABULARY)} ${result.slice(at)}`;
        break;
      case 3:
        result = result.slice(0, at) + result.slice(at, at + span).repeat(random.int(2, 5)) + result.slice(at + span);
        break;
      default:
        result = result.slice(0, at) + random.pick(NOISE) + result.slice(at + 1);
    }
  }
  return result;
}

describe('fuzzing parse + compile', () => {
  const examples = [...ADT_EXAMPLES, ...EXTENSION_EXAMPLES].map((example) => example.query);

  it('compiles 3,000 generated queries, none of whose names or literals reach the SQL', () => {
    const random = new Random(1);
    for (let i = 0; i < 3000; i++) {
      const generator = new QueryGenerator(random);
      const query = generator.query();
      const outcome = compileSafely(query, generator.markers, { page: { limit: 10 } });
      if (outcome !== 'compiled') throw new Error(`A generated query was refused: ${query}\n${(() => { try { compileQuery(query); } catch (e) { return String(e); } return ''; })()}`);
    }
  });

  it('survives 5,000 mutations of valid queries with DomainErrors only, leaking no user text', () => {
    const random = new Random(2);
    const outcomes = { compiled: 0, rejected: 0 };
    for (let i = 0; i < 5000; i++) {
      const generator = new QueryGenerator(random);
      const source = random.chance(0.5) ? generator.query() : random.pick(examples);
      outcomes[compileSafely(mutate(source, random), generator.markers)]++;
    }
    expect(outcomes.compiled).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(1000);
  });

  it('survives 2,000 random token sequences', () => {
    const random = new Random(3);
    for (let i = 0; i < 2000; i++) {
      const tokens = Array.from({ length: random.int(1, 40) }, () => random.pick(VOCABULARY));
      const prefix = random.chance(0.5) ? 'SELECT * FROM DIGITALTWINS T WHERE ' : '';
      compileSafely(prefix + tokens.join(random.chance(0.8) ? ' ' : ''), []);
    }
  });

  it('refuses deep nesting with SqlQueryError instead of overflowing the stack', () => {
    const limits = { maxLength: 2_000_000 };
    for (const depth of [65, 100, 1000, 10_000, 100_000]) {
      for (const query of [
        `SELECT * FROM DIGITALTWINS WHERE ${'('.repeat(depth)}x = 1${')'.repeat(depth)}`,
        `SELECT * FROM DIGITALTWINS WHERE ${'NOT '.repeat(depth)}x = 1`,
        `SELECT * FROM DIGITALTWINS WHERE ${'(NOT '.repeat(depth)}x = 1`,
        `SELECT * FROM DIGITALTWINS WHERE ${'('.repeat(depth)}`,
      ]) {
        const error = (() => {
          try {
            compileQuery(query, { limits });
          } catch (err) {
            return err;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('SqlQueryError');
      }
    }
  });

  it('handles huge literals, lists and condition chains', () => {
    const random = new Random(4);
    const generator = new QueryGenerator(random);
    const literal = generator.stringLiteral();
    const huge = `'${literal.slice(1, -1)}${'x'.repeat(7900)}'`;
    expect(compileSafely(`SELECT * FROM DIGITALTWINS T WHERE T.name = ${huge}`, generator.markers)).toBe('compiled');
    const list = Array.from({ length: 50 }, () => generator.stringLiteral()).join(',');
    expect(compileSafely(`SELECT * FROM DIGITALTWINS T WHERE T.name IN [${list}]`, generator.markers)).toBe('compiled');
    const chain = Array.from({ length: 5000 }, (_, i) => `T.x = ${i}`).join(' AND ');
    expect(compileSafely(`SELECT * FROM DIGITALTWINS T WHERE ${chain}`, [], { limits: { maxLength: 1e6 } })).toBe('rejected');
    expect(compileSafely(`SELECT * FROM DIGITALTWINS T WHERE ${chain}`, [], { limits: { maxLength: 1e6, maxTerms: 1e6 } })).toBe('compiled');
    expect(compileSafely(`SELECT * FROM DIGITALTWINS T WHERE T.x = ${'9'.repeat(400)}`, [])).toBe('rejected');
  });

  it('refuses 500 random continuation keys with DomainErrors only', () => {
    const random = new Random(5);
    const values = [null, true, 1, -1, 1.5, 2 ** 40, '', 'a', '1', '1e5', '\u0000', [], {}, 'x'.repeat(2000)];
    for (let i = 0; i < 500; i++) {
      const after = Array.from({ length: random.int(0, 8) }, () => random.pick(values));
      const query = random.pick(['SELECT * FROM DIGITALTWINS', 'SELECT * FROM DIGITALTWINS T ORDER BY T.x DESC', examples[25]]);
      compileSafely(query, [], { page: { limit: random.int(1, 5), after } });
    }
  });
});
