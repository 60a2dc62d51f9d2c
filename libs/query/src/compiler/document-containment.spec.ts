import { compileQuery } from './compile-query';

/** The containment predicates a query gets, as `alias: JSON`, in the order they appear. */
function containments(query: string): string[] {
  const { sql, params } = compileQuery(query);
  return [...sql.matchAll(/(t\d+)\.document @> \$(\d+)::jsonb/g)].map(([, alias, n]) => `${alias}: ${String(params[Number(n) - 1])}`);
}

describe('document containment next to property equality (for the GIN index)', () => {
  it('gathers the equalities of the top-level AND into one containment per twin, whatever the literal type', () => {
    expect(containments("SELECT * FROM DIGITALTWINS T WHERE T.name = 'a' AND T.n = 25 AND T.on = true AND T.gone = null AND T.c.p = -1.5")).toEqual([
      't0: {"name":"a","n":25,"on":true,"gone":null,"c":{"p":-1.5}}',
    ]);
  });

  it('keeps the exact predicate beside it', () => {
    const { sql } = compileQuery("SELECT * FROM DIGITALTWINS T WHERE T.name = 'a'");
    expect(sql).toContain("WHERE (CASE WHEN jsonb_typeof(t0.document -> $1::text) = 'string' THEN (t0.document -> $1::text) #>> '{}' END) = $2::text\n  AND t0.document @> $3::jsonb");
  });

  it('looks inside parenthesised ANDs, and puts each twin of a JOIN in its own containment', () => {
    expect(containments("SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x WHERE T.$dtId = 'a' AND (C.k = 1 AND (T.k = 2 AND C.j = 'x'))")).toEqual([
      't1: {"k":1,"j":"x"}',
      't0: {"k":2}',
    ]);
  });

  it.each([
    ['under OR', "SELECT * FROM DIGITALTWINS T WHERE T.a = 1 OR T.b = 2"],
    ['under NOT', 'SELECT * FROM DIGITALTWINS T WHERE NOT T.a = 1'],
    ['for other comparisons', "SELECT * FROM DIGITALTWINS T WHERE T.a != 1 AND T.b > 2 AND T.c IN [1] AND STARTSWITH(T.d, 'x')"],
    ['for columns beside the document', "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'a' AND T.$metadata.$model = 'm' AND T.$etag = 'e'"],
    ['for relationships', "SELECT * FROM RELATIONSHIPS R WHERE R.length = 3"],
    ['along a step that can index an array (a.0 reads [5])', 'SELECT * FROM DIGITALTWINS T WHERE T.a.[[0]] = 5 AND T.b.[[ 1]] = 5 AND T.c.[[-1]] = 5'],
  ])('is left out %s', (_case, query) => {
    expect(containments(query)).toEqual([]);
  });

  it('keeps the first of two equalities on one place (the exact predicates already exclude every row)', () => {
    expect(containments("SELECT * FROM DIGITALTWINS T WHERE T.a = 1 AND T.a = 2 AND T.b.c = 'x' AND T.b = 3 AND T.b.d = 'y'")).toEqual([
      't0: {"a":1,"b":{"c":"x","d":"y"}}',
    ]);
  });

  it('reads property names as plain keys, __proto__ included', () => {
    expect(containments("SELECT * FROM DIGITALTWINS T WHERE T.[[__proto__]].x = 'y' AND T.constructor = 1")).toEqual([
      't0: {"__proto__":{"x":"y"},"constructor":1}',
    ]);
  });
});
