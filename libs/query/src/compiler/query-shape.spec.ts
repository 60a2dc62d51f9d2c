import { ADT_EXAMPLES, EXTENSION_EXAMPLES } from '../__fixtures__/adt-examples';
import { QueryGenerator } from '../testing/query-generator';
import { Random } from '../testing/random';
import { compileQuery, type CompiledQuery, type CompileOptions } from './compile-query';
import { fromTemplate, literalsFitTemplate, queryShape, shapeTemplate } from './query-shape';

const FIRST_PAGE: CompileOptions = { page: { limit: 100 } };
const compile = (text: string) => compileQuery(text, FIRST_PAGE);
const template = (text: string) => shapeTemplate(text, compile(text), compile);

/** `text` with each literal replaced by the next of `values` (strings quoted, numbers as written). */
function withValues(text: string, values: (string | number)[]): string {
  let i = 0;
  return text.replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|(?<![\p{L}\p{N}_$.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/gu, (literal) => {
    const value = values[i++];
    return typeof value === 'string' && /^['"]/.test(literal) ? `'${value.replace(/[\\']/g, '\\$&')}'` : typeof value === 'number' && !/^['"]/.test(literal) ? String(value) : literal;
  });
}

/** What the compiler itself makes of `text`, or the error it throws. */
function compiledOrError(text: string): CompiledQuery | string {
  try {
    return compile(text);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

describe('query shapes', () => {
  it('gives queries that differ in literals and spacing one shape, and keeps the literals in order', () => {
    const a = queryShape("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'room-1' AND T.area > 10");
    const b = queryShape("SELECT *  FROM DIGITALTWINS T\nWHERE T.$dtId = \"room-2\" AND T.area > 2.5");
    expect(a?.key).toBe(b?.key);
    expect(a?.literals).toEqual(['room-1', 10]);
    expect(b?.literals).toEqual(['room-2', 2.5]);
    expect(queryShape("SELECT * FROM DIGITALTWINS T WHERE T.name = 'room-1' AND T.area > 10")?.key).not.toBe(a?.key);
    // a string where a number was is another shape
    expect(queryShape("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'room-1' AND T.area > '10'")?.key).not.toBe(a?.key);
  });

  it('fills a $dtId lookup\'s statement with each query\'s own id, as compiling that query would', () => {
    const first = "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'room-1-2-3'";
    const shape = template(first);
    expect(shape).toBeDefined();
    for (const id of ['room-9-9-9', "it's", 'a\\b', '☃ 𝄞', '%_']) {
      const text = withValues(first, [id]);
      expect(fromTemplate(shape!, queryShape(text)!.literals)).toEqual(compile(text));
    }
  });

  it('has no template where a literal\'s value decides more than a parameter', () => {
    // a pattern escaped for LIKE; TOP's count in the page size
    expect(template("SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.name, 'Room')")).toBeUndefined();
    expect(template('SELECT TOP(5) * FROM DIGITALTWINS T')).toBeUndefined();
  });

  it('refuses literals off the template\'s edges: an empty string, two alike', () => {
    expect(literalsFitTemplate(['a', 1, 'b'])).toBe(true);
    expect(literalsFitTemplate(['a', ''])).toBe(false);
    expect(literalsFitTemplate(['a', 'a'])).toBe(false);
  });

  it('compiles every example and generated query of a templated shape exactly as the compiler does, or not at all', () => {
    const random = new Random(19);
    const generator = new QueryGenerator(random);
    const queries = [...ADT_EXAMPLES, ...EXTENSION_EXAMPLES].map((e) => e.query);
    for (let i = 0; i < 300; i++) queries.push(generator.query());
    const strings = ['x', 'room-1', "o'k", 'dtmi:example:Room;1', '2026-01-01T00:00:00Z', '%', 'a b', '10', 'Room'];
    const numbers = [0, 1, 2, 7, 100, 101, 1e6, 0.25, 39.75];
    let templated = 0;
    let checked = 0;
    for (const text of queries) {
      const compiled = compiledOrError(text);
      if (typeof compiled === 'string') continue;
      const shape = shapeTemplate(text, compiled, compile);
      if (!shape) continue;
      templated++;
      const literals = queryShape(text)!.literals;
      for (let round = 0; round < 6; round++) {
        const values = literals.map((v, i) => (typeof v === 'string' ? strings[(round * 3 + i) % strings.length] : numbers[(round * 5 + i) % numbers.length]));
        const variant = withValues(text, values);
        const variantShape = queryShape(variant)!;
        if (variantShape.key !== queryShape(text)!.key || !literalsFitTemplate(variantShape.literals)) continue;
        expect({ variant, compiled: fromTemplate(shape, variantShape.literals) }).toEqual({ variant, compiled: compiledOrError(variant) });
        checked++;
      }
    }
    expect(templated).toBeGreaterThan(20);
    expect(checked).toBeGreaterThan(100);
  });
});
