import { compileQuery } from './compile-query';
import { successor } from './property-index';

const where = (condition: string) => compileQuery(`SELECT * FROM DIGITALTWINS T WHERE ${condition}`);
const whereSql = (condition: string) => where(condition).sql.split('\nWHERE ')[1]?.split('\nORDER BY')[0];

describe('property filters through the property index', () => {
  it('answers a comparison from the typed column of its literal, planned with its values', () => {
    const compiled = where('T.Temperature > 39.98');
    expect(whereSql('T.Temperature > 39.98')).toBe(
      'EXISTS (SELECT FROM twins.twin_properties p WHERE p.twin_id = t0.id AND p.path = $1::text[] AND p.num > $2::numeric)',
    );
    expect(compiled.params.slice(0, 2)).toEqual([['Temperature'], 39.98]);
    expect(compiled.customPlan).toBe(true);
    expect(whereSql('T.on != true')).toContain("p.kind = 'b' AND p.bool <> $2::boolean");
    expect(whereSql("T.comp.name < 'b'")).toContain('substr(p.str, 1, 200) <= $2::text AND p.str < $3::text');
    expect(where('T.comp.name = 1').params[0]).toEqual(['comp', 'name']);
  });

  it('follows ADT for null: = null holds for JSON null, != null never', () => {
    expect(whereSql('T.x = null')).toContain("p.kind = 'z'");
    expect(whereSql('T.x != null')).toContain('AND FALSE');
  });

  it('reads a type test from the index that holds that type (numbers and strings are only in num and str)', () => {
    expect(whereSql('IS_NUMBER(T.x)')).toContain('p.path = $1::text[] AND p.num IS NOT NULL)');
    expect(whereSql('IS_STRING(T.x)')).toContain('AND p.str IS NOT NULL)');
    expect(whereSql('IS_BOOL(T.x)')).toContain("AND p.kind = 'b')");
    expect(whereSql('IS_DEFINED(T.x)')).toContain("AND (p.num IS NOT NULL OR p.str IS NOT NULL OR p.kind NOT IN ('n', 's')))");
    expect(whereSql('IS_PRIMITIVE(T.x)')).toContain("AND (p.num IS NOT NULL OR p.str IS NOT NULL OR p.kind IN ('z', 'b')))");
  });

  it('turns an OR of one twin into a set of ids, AND inside it into INTERSECT', () => {
    expect(whereSql("(T.a = 1 AND T.b = 'x') OR STARTSWITH(T.c, 'ab')")).toBe(
      't0.id IN (((SELECT p.twin_id FROM twins.twin_properties p WHERE p.path = $1::text[] AND p.num = $2::numeric)' +
        ' INTERSECT (SELECT p.twin_id FROM twins.twin_properties p WHERE p.path = $3::text[] AND substr(p.str, 1, 200) = $4::text AND p.str = $5::text))' +
        ' UNION ALL (SELECT p.twin_id FROM twins.twin_properties p WHERE p.path = $6::text[]' +
        ' AND substr(p.str, 1, 200) >= $7::text AND substr(p.str, 1, 200) < $8::text AND starts_with(p.str, $9::text)))',
    );
  });

  it('keeps the exact predicate under NOT, for system fields, $metadata, array steps and across twins', () => {
    for (const condition of ['NOT T.a = 1', "T.$dtId = 'x'", "T.$metadata.$model = 'x'", "T.$metadata.a.lastUpdateTime > 'x'", 'T.a.[[0]] = 5', 'ARRAY_CONTAINS(T.a, 1)']) {
      const compiled = where(condition);
      expect([condition, compiled.sql.includes('twin_properties'), compiled.customPlan]).toEqual([condition, false, false]);
    }
    const join = compileQuery("SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x WHERE T.$dtId = 'a' AND (T.n = 1 OR C.n = 2)");
    expect(join.sql).not.toContain('twin_properties');
    const both = compileQuery("SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x WHERE T.$dtId = 'a' AND T.n = 1 AND C.n = 2").sql;
    expect(both).toContain('p.twin_id = t0.id');
    expect(both).toContain('p.twin_id = t1.id');
  });

  it('indexes what it can of an AND and evaluates the rest exactly', () => {
    const sql = whereSql("T.n > 1 AND (T.s = 'a' AND NOT T.b = true)");
    expect(sql).toContain('EXISTS (SELECT FROM twins.twin_properties p WHERE p.twin_id = t0.id AND p.path = $3::text[]');
    expect(sql).toContain("NOT ((CASE WHEN jsonb_typeof(t0.document -> $6::text) = 'boolean'");
  });

  it('is not used where there is no index (asOf, or a table set to none)', () => {
    expect(compileQuery('SELECT * FROM DIGITALTWINS T WHERE T.n > 1', { tables: { twinProperties: '' } }).sql).not.toContain('twin_properties');
    expect(compileQuery('SELECT * FROM DIGITALTWINS T WHERE T.n > 1', { asOf: { at: 'x' } }).sql).not.toContain('twin_properties');
  });

  it('starts a page from the matching twins when they are few, else walks the rows in page order', () => {
    const { sql, params } = compileQuery('SELECT * FROM DIGITALTWINS T WHERE T.n > 1', { page: { limit: 10 }, maxCandidates: 500 });
    expect(sql.split('\n').slice(0, 2)).toEqual([
      'WITH candidates AS MATERIALIZED (SELECT p.twin_id FROM twins.twin_properties p WHERE p.path = $1::text[] AND p.num > $2::numeric LIMIT 501),',
      'candidate_count AS MATERIALIZED (SELECT count(*) AS n FROM candidates)',
    ]);
    // The filter is the whole query: the page needs only the first 11 candidates by id (a top-N sort).
    expect(sql).toContain('WHERE t0.id = ANY(ARRAY(SELECT twin_id FROM candidates ORDER BY twin_id LIMIT $3::bigint))\nORDER BY t0.id\nLIMIT CASE WHEN (SELECT n FROM candidate_count) <= 500 THEN $4::bigint ELSE 0 END');
    expect(sql).toContain("WHERE (CASE WHEN jsonb_typeof(t0.document -> $5::text) = 'number' THEN (t0.document -> $5::text)::numeric END) > $6::numeric\nORDER BY t0.id\nLIMIT CASE WHEN (SELECT n FROM candidate_count) > 500 THEN $7::bigint ELSE 0 END");
    expect(sql.split('\n').slice(-2)).toEqual(['ORDER BY u.s0', 'LIMIT $8::bigint']);
    expect(params.slice(2, 4)).toEqual([11, 11]);
    // No page order to walk: a count reads the index only, without visiting the twins.
    expect(compileQuery('SELECT COUNT() FROM DIGITALTWINS T WHERE T.n > 1').sql).toBe([
      `SELECT '{"COUNT":' || c.n || '}' AS row,`,
      "  '[]' AS key",
      'FROM (SELECT count(*) AS n FROM (SELECT p.twin_id FROM twins.twin_properties p WHERE p.path = $1::text[] AND p.num > $2::numeric) ids) c',
    ].join('\n'));
    expect(compileQuery('SELECT COUNT() FROM DIGITALTWINS T WHERE T.n > 1 OR T.s = 2').sql).toContain('SELECT count(DISTINCT twin_id) AS n FROM (');
    expect(compileQuery("SELECT COUNT() FROM DIGITALTWINS T WHERE T.n > 1 AND IS_OF_MODEL('dtmi:a;1')").sql).toContain('FROM twins.twins t0');
    // Not whole on the index: no candidates.
    expect(compileQuery('SELECT * FROM DIGITALTWINS T WHERE NOT T.n > 1', { page: { limit: 10 } }).sql).not.toContain('candidates');
  });

  it('takes only the candidates a page can hold when the filtered twin leads the page order', () => {
    const page = (query: string, after?: unknown[]) => compileQuery(query, { page: { limit: 10, after } });
    const drivingIds = (sql: string) => /ANY\(ARRAY\((.*)\)\)/.exec(sql)?.[1];
    // Past the previous page's last id, then the first 11.
    const next = page('SELECT * FROM DIGITALTWINS T WHERE T.n > 1', ['t9']);
    expect(drivingIds(next.sql)).toBe('SELECT twin_id FROM candidates WHERE twin_id > $3::text ORDER BY twin_id LIMIT $4::bigint');
    expect(next.params.slice(2, 4)).toEqual(['t9', 11]);
    // Another conjunct may drop candidates, an OR may repeat them: every candidate past the last id.
    expect(drivingIds(page("SELECT * FROM DIGITALTWINS T WHERE T.n > 1 AND IS_OF_MODEL('dtmi:a;1')", ['t9']).sql))
      .toBe('SELECT twin_id FROM candidates WHERE twin_id > $3::text');
    expect(drivingIds(page('SELECT * FROM DIGITALTWINS T WHERE T.n > 1 OR T.n < 0').sql)).toBe('SELECT twin_id FROM candidates');
    // The filtered twin leads, but one twin has several rows: from its id on.
    const join = page('SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x WHERE T.n > 1 OPTION (EXTENDED)', ['t9', 'c', 't9', 'r']);
    expect(drivingIds(join.sql)).toBe('SELECT twin_id FROM candidates WHERE twin_id >= $6::text');
    // Another order leads: every candidate.
    expect(drivingIds(page('SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x WHERE C.n > 1 OPTION (EXTENDED)', ['t9', 'c', 't9', 'r']).sql))
      .toBe('SELECT twin_id FROM candidates');
    expect(drivingIds(page('SELECT * FROM DIGITALTWINS T WHERE T.n > 1 ORDER BY T.n').sql)).toBe('SELECT twin_id FROM candidates');
  });

  it('reads several predicates on one property as one range of the index', () => {
    const { sql, params } = compileQuery('SELECT * FROM DIGITALTWINS T WHERE T.t > 20 AND T.x = 1 AND T.t <= 25', { page: { limit: 10 } });
    expect(sql.split('\n')[0]).toBe(
      'WITH candidates AS MATERIALIZED (SELECT p.twin_id FROM twins.twin_properties p WHERE p.path = $1::text[] AND (p.num > $2::numeric) AND (p.num <= $3::numeric) LIMIT 10001),',
    );
    expect(params.slice(0, 3)).toEqual([['t'], 20, 25]);
    // The candidates meet `T.t <= 25` too; `T.x = 1` is another property: tested on each, so every candidate past the last id.
    expect(sql).toContain('WHERE t0.id = ANY(ARRAY(SELECT twin_id FROM candidates))\n  AND EXISTS (SELECT FROM twins.twin_properties p WHERE p.twin_id = t0.id AND p.path = $4::text[] AND p.num = $5::numeric)\n  AND TRUE\n');
    // Only the one property: the first page's worth of candidates.
    expect(compileQuery('SELECT * FROM DIGITALTWINS T WHERE T.t > 20 AND T.t <= 25', { page: { limit: 10 } }).sql)
      .toContain('WHERE t0.id = ANY(ARRAY(SELECT twin_id FROM candidates ORDER BY twin_id LIMIT $4::bigint))\n  AND TRUE\n');
  });

  it('bounds STARTSWITH by the successor of the prefix in code point order', () => {
    expect(successor('ab')).toBe('ac');
    expect(successor('a\u{10ffff}')).toBe('b');
    expect(successor('\u{10ffff}')).toBeUndefined();
    expect(successor('')).toBeUndefined();
    expect(successor('x\ud7ff')).toBe('x\ue000');
    expect(successor('😀')).toBe('😁');
  });
});
