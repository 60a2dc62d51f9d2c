import { compileQuery } from './compile-query';

/** The exact predicates on the documents, as without the property index (property-index.spec.ts has the index's). */
const documents = { tables: { twinProperties: '' } };
const sqlOf = (query: string) => compileQuery(query, documents).sql;

describe('compileQuery', () => {
  it('returns the bare twin for SELECT *, keyed and ordered by id', () => {
    const compiled = compileQuery('SELECT * FROM DIGITALTWINS');
    expect(compiled).toMatchObject({ kind: 'rows', params: [] });
    expect(compiled.sql).toBe([
      `SELECT '{"$dtId":' || to_json(t0.id)::text || ',"$etag":"W/\\"' || t0.etag::text || '\\""' || (CASE WHEN t0.document = '{}'::jsonb THEN '}' ELSE ',' || substr(t0.document::text, 2) END) AS row,`,
      '  json_build_array(t0.id)::text AS key',
      'FROM twins.twins t0',
      'ORDER BY t0.id',
    ].join('\n'));
  });

  it('returns the bare relationship for SELECT * FROM RELATIONSHIPS, keyed by source and relationship id', () => {
    const { sql } = compileQuery('SELECT * FROM RELATIONSHIPS R');
    expect(sql).toContain(
      `SELECT '{"$relationshipId":' || to_json(r0.relationship_id)::text || ',"$etag":"W/\\"' || r0.etag::text || '\\""' || ',"$sourceId":' || to_json(r0.source_id)::text` +
        ` || ',"$relationshipName":' || to_json(r0.name)::text || ',"$targetId":' || to_json(r0.target_id)::text` +
        ` || (CASE WHEN r0.properties = '{}'::jsonb THEN '}' ELSE ',' || substr(r0.properties::text, 2) END) AS row`,
    );
    expect(sql).toContain('json_build_array(r0.source_id, r0.relationship_id)::text AS key');
  });

  it('keys projections by alias, last property name or AS name, leaving out undefined properties', () => {
    const compiled = compileQuery("SELECT T, T.comp.temp, T.$dtId, T.x AS y FROM DIGITALTWINS T WHERE T.$dtId = 'a'");
    expect(compiled.params.slice(0, 6)).toEqual(['"T":', ['comp', 'temp'], '"temp":', '"$dtId":', 'x', '"y":']);
    expect(compiled.sql).toContain(`SELECT '{' || concat_ws(',',\n    $1::text || '{"$dtId":' || to_json(t0.id)::text`);
    // concat_ws leaves out a NULL member: an undefined property
    expect(compiled.sql).toContain('    $3::text || (t0.document #> $2::text[])::text,\n');
    expect(compiled.sql).toContain('    $4::text || to_json(t0.id)::text,\n');
    expect(compiled.sql).toContain("    $6::text || (t0.document -> $5::text)::text) || '}' AS row");
  });

  it('reads system properties from their columns', () => {
    const { sql } = compileQuery(
      "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'a' AND T.$metadata.$model = 'm' AND T.$etag = 'e' AND T.$metadata.$lastUpdateTime > 't'",
    );
    expect(sql).toContain('t0.id = $1::text');
    expect(sql).toContain('t0.model_id = $2::text');
    expect(sql).toContain(`('W/"' || t0.etag::text || '"') = $3::text`);
    expect(sql).toContain(`(CASE WHEN jsonb_typeof(t0.document #> $4::text[]) = 'string' THEN (t0.document #> $4::text[]) #>> '{}' END) COLLATE "C" > $5::text`);
    const relationships = sqlOf("SELECT * FROM RELATIONSHIPS R WHERE R.$relationshipId = 'a' AND R.$sourceId = 'b' AND R.$targetId = 'c' AND R.$relationshipName = 'd' AND R.x = 1");
    for (const column of ['relationship_id', 'source_id', 'target_id', 'name']) expect(relationships).toContain(`r0.${column} = `);
    expect(relationships).toContain('r0.properties -> $5::text');
  });

  it('compares only values of the literal JSON type, so NOT keeps undefined and mistyped values out', () => {
    expect(sqlOf('SELECT * FROM DIGITALTWINS DT WHERE NOT DT.Temperature <= 80')).toContain(
      "WHERE NOT ((CASE WHEN jsonb_typeof(t0.document -> $1::text) = 'number' THEN (t0.document -> $1::text)::numeric END) <= $2::numeric)",
    );
    expect(sqlOf('SELECT * FROM DIGITALTWINS WHERE x != true')).toContain(
      "(CASE WHEN jsonb_typeof(t0.document -> $1::text) = 'boolean' THEN (t0.document -> $1::text)::boolean END) <> $2::boolean",
    );
    expect(sqlOf('SELECT * FROM DIGITALTWINS WHERE x = null')).toContain("(CASE WHEN jsonb_typeof(t0.document -> $1::text) = 'null' THEN TRUE END)");
    expect(sqlOf('SELECT * FROM DIGITALTWINS WHERE x < null')).toContain("THEN FALSE END");
    expect(sqlOf('SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 5')).toContain('WHERE NULL::boolean');
  });

  it('compiles IN and NIN to jsonb arrays, and $dtId IN to an id array', () => {
    const compiled = compileQuery("SELECT * FROM DIGITALTWINS T WHERE T.x IN ['a', 1, null] AND T.y NIN [true] AND T.$dtId IN ['a', 2]", documents);
    expect(compiled.sql).toContain('t0.document -> $1::text = ANY($2::jsonb[])');
    expect(compiled.sql).toContain('NOT (t0.document -> $3::text = ANY($4::jsonb[]))');
    expect(compiled.sql).toContain('t0.id = ANY($5::text[])');
    expect(compiled.params).toEqual(['x', ['"a"', '1', 'null'], 'y', ['true'], ['a']]);
  });

  it('tests the model ancestry, or the model itself with exact', () => {
    expect(sqlOf("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:a;1')")).toContain('WHERE t0.model_ancestry @> ARRAY[$1::text]');
    expect(sqlOf("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, 'dtmi:a;1', exact)")).toContain('WHERE t0.model_id = $1::text');
  });

  it('makes type checks always true or false', () => {
    expect(sqlOf('SELECT * FROM DIGITALTWINS T WHERE NOT IS_NULL(T.x)')).toContain("NOT (COALESCE(jsonb_typeof(t0.document -> $1::text) = 'null', FALSE))");
    expect(sqlOf('SELECT * FROM DIGITALTWINS T WHERE IS_PRIMITIVE(T.x)')).toContain("COALESCE(jsonb_typeof(t0.document -> $1::text) IN ('string', 'number', 'boolean', 'null'), FALSE)");
    expect(sqlOf('SELECT * FROM DIGITALTWINS T WHERE IS_DEFINED(T.x) AND IS_STRING(T.$dtId) AND IS_NUMBER(T.$dtId)')).toContain(
      '(t0.document -> $1::text IS NOT NULL)\n  AND TRUE\n  AND FALSE',
    );
  });

  it('matches strings with parameters, never with LIKE patterns', () => {
    expect(sqlOf("SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, '%')")).toContain('starts_with(t0.id, $1::text)');
    expect(sqlOf("SELECT * FROM DIGITALTWINS T WHERE ENDSWITH(T.$dtId, '_')")).toContain('right(t0.id, char_length($1::text)) = $1::text');
    expect(sqlOf("SELECT * FROM DIGITALTWINS T WHERE CONTAINS(T.name, 'x')")).toContain(
      "strpos((CASE WHEN jsonb_typeof(t0.document -> $1::text) = 'string' THEN (t0.document -> $1::text) #>> '{}' END), $2::text) > 0",
    );
  });

  it('tests array items with containment of a one-item array', () => {
    const compiled = compileQuery('SELECT T.name FROM DIGITALTWINS T WHERE ARRAY_CONTAINS(T.floors, 2)', documents);
    expect(compiled.sql).toContain("(CASE WHEN jsonb_typeof(t0.document -> $3::text) = 'array' THEN (t0.document -> $3::text) @> $4::jsonb END)");
    expect(compiled.params[3]).toBe('[2]');
  });

  it('lets a single collection be read without its alias', () => {
    expect(sqlOf("SELECT COUNT() FROM DIGITALTWINS c WHERE IS_OF_MODEL('dtmi:a;1') AND c.Capacity > 20 AND IS_BOOL(HasTemperature)")).toContain(
      "COALESCE(jsonb_typeof(t0.document -> $4::text) = 'boolean', FALSE)",
    );
  });

  it('follows a JOIN from the anchored twin, even when the anchor is the JOIN target', () => {
    const sql = sqlOf("SELECT source FROM DIGITALTWINS source JOIN target RELATED source.feeds WHERE target.$dtId = 'x'");
    expect(sql).toContain([
      'FROM twins.twins t1',
      'JOIN relationships.relationships r0 ON r0.target_id = t1.id AND r0.name = $2::text',
      'JOIN twins.twins t0 ON t0.id = r0.source_id',
      'WHERE t1.id = $3::text',
    ].join('\n'));
  });

  it('accepts an anchor in every branch of an OR, and none that a branch lacks', () => {
    expect(() => compileQuery("SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x WHERE (T.$dtId = 'a' AND T.y = 1) OR T.$dtId IN ['b']")).not.toThrow();
    expect(() => compileQuery("SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x WHERE T.$dtId = 'a' OR C.$dtId = 'b'")).toThrow('must pin a twin');
    expect(() => compileQuery("SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x WHERE NOT T.$dtId = 'a'")).toThrow('must pin a twin');
  });

  it('binds each twin of a MATCH row once', () => {
    const sql = sqlOf("SELECT A, B, C FROM DIGITALTWINS MATCH (A)-[:x]-(B)-[*2]-(C) WHERE A.$dtId = 'a'");
    expect(sql).toContain('JOIN twins.twins t1 ON t1.id = CASE WHEN r0.source_id = t0.id THEN r0.target_id ELSE r0.source_id END AND t1.id <> t0.id');
    expect(sql).toContain('JOIN twins.twins t2 ON t2.id = w1.twin_id AND t2.id NOT IN (t0.id, t1.id)');
  });

  it('starts a MATCH at its anchored twin and reverses the edges before it', () => {
    const sql = sqlOf("SELECT A, B FROM DIGITALTWINS MATCH (A)-[:x*..3]->(B) WHERE B.$dtId = 'b'");
    expect(sql).toContain('FROM twins.twins t1\nCROSS JOIN LATERAL (');
    expect(sql).toContain('    SELECT step.source_id, walk.depth + 1\n    FROM walk JOIN relationships.relationships step ON step.target_id = walk.twin_id AND step.name = $3::text');
  });

  it('reads from the tables of the options', () => {
    const sql = compileQuery("SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.x WHERE T.$dtId = 'a'", { tables: { twins: 'fx.t', relationships: 'fx.r' } }).sql;
    expect(sql).toContain('FROM fx.t t0\nJOIN fx.r r0');
    expect(() => compileQuery('SELECT * FROM DIGITALTWINS', { tables: { twins: 'x; DROP TABLE y' } })).toThrow(TypeError);
  });

  it("compiles ADT's COUNT() to one row {COUNT: n}", () => {
    expect(compileQuery('SELECT COUNT() FROM RELATIONSHIPS')).toEqual({
      kind: 'count',
      sql: `SELECT '{"COUNT":' || count(*) || '}' AS row,\n  '[]' AS key\nFROM relationships.relationships r0`,
      params: [],
      customPlan: false,
    });
  });

  it('reads the kept count for COUNT() of every twin, and counts the twins when anything narrows it', () => {
    expect(compileQuery('SELECT COUNT() FROM DIGITALTWINS').sql).toBe(`SELECT '{"COUNT":' || coalesce(sum(c.n), 0) || '}' AS row,\n  '[]' AS key\nFROM twins.twin_count c`);
    expect(compileQuery("SELECT COUNT() FROM DIGITALTWINS T WHERE T.x = 1", documents).sql).toContain('FROM twins.twins t0');
    expect(compileQuery("SELECT COUNT() FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:a;1') AND T.x = 1").sql).toContain('FROM twins.twins t0');
    expect(compileQuery("SELECT COUNT() FROM DIGITALTWINS T JOIN C RELATED T.x WHERE T.$dtId = 'a'").sql).toContain('FROM twins.twins t0');
    expect(compileQuery('SELECT COUNT() FROM DIGITALTWINS', { tables: { twinCount: '' } }).sql).toContain('FROM twins.twins t0');
  });

  it('groups by resolved paths, so a bare name and alias.name are one group', () => {
    const compiled = compileQuery('SELECT floor AS f, COUNT() AS n, MAX(T.t) FROM DIGITALTWINS T GROUP BY T.floor');
    expect(compiled.kind).toBe('aggregate');
    expect(compiled.params).toEqual(['f', 'n', 'MAX', 'floor', 't']);
    expect(compiled.sql).toContain('SELECT t0.document -> $4::text AS g0, t0.document -> $5::text AS a0');
    expect(compiled.sql).toContain('  GROUP BY source.g0\n) AS grouped');
  });

  it('orders by JSON values through LATERAL sort values, then by the row ids', () => {
    const sql = sqlOf('SELECT * FROM DIGITALTWINS T ORDER BY T.x DESC');
    expect(sql).toContain('json_build_array(o0.rank, o0.number::text, o0.text, t0.id)::text AS key');
    expect(sql).toContain('  FROM (SELECT t0.document -> $1::text AS v) AS sort_value\n) AS o0');
    expect(sql).toContain('ORDER BY o0.rank DESC, o0.number DESC, o0.text DESC, t0.id');
  });
});

describe('compileQuery asOf (extension)', () => {
  it('reads the as-of functions with the moment as the first parameter, and leaves the live SQL as it was', () => {
    const text = "SELECT T, R FROM DIGITALTWINS T JOIN C RELATED T.contains R WHERE T.$dtId = 'a'";
    const live = compileQuery(text);
    const asOf = compileQuery(text, { asOf: { at: '2026-01-01T00:00:00Z' } });
    expect(asOf.params[0]).toBe('2026-01-01T00:00:00Z');
    expect(asOf.params.slice(1)).toEqual(live.params);
    expect(asOf.sql).toContain('FROM history.twins_at($1::timestamptz) t0');
    expect(asOf.sql).toContain('JOIN history.relationships_at($1::timestamptz) r0');
    expect(asOf.sql).not.toMatch(/twins\.twins|relationships\.relationships/);
    expect(live.sql).not.toContain('history.');
  });

  it('counts the twins of the moment, not the live count', () => {
    expect(compileQuery('SELECT COUNT() FROM DIGITALTWINS', { asOf: { at: 'x' } }).sql).toContain('FROM history.twins_at($1::timestamptz) t0');
  });

  it('rebuilds only the twins of the models a one-collection query names', () => {
    const exact = compileQuery("SELECT T.$dtId FROM DIGITALTWINS T WHERE T.$metadata.$model = 'dtmi:a;1' AND T.x > 1", { asOf: { at: 'x' } });
    expect(exact.sql).toContain('FROM history.twins_of_models_at($1::timestamptz, $2::text[], $3::boolean) t0');
    expect(exact.params.slice(0, 3)).toEqual(['x', ['dtmi:a;1'], true]);
    expect(exact.sql).toContain('t0.model_id = ');

    const family = compileQuery("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:base;1')", { asOf: { at: 'x' } });
    expect(family.params.slice(0, 3)).toEqual(['x', ['dtmi:base;1'], false]);
    const list = compileQuery("SELECT * FROM DIGITALTWINS T WHERE T.$metadata.$model IN ['dtmi:a;1', 'dtmi:b;1']", { asOf: { at: 'x' } });
    expect(list.params.slice(0, 3)).toEqual(['x', ['dtmi:a;1', 'dtmi:b;1'], true]);
  });

  it('reads every twin of the moment where the model is not required of every row', () => {
    for (const text of [
      "SELECT * FROM DIGITALTWINS T WHERE T.$metadata.$model = 'dtmi:a;1' OR T.x = 1",
      "SELECT * FROM DIGITALTWINS T WHERE NOT IS_OF_MODEL('dtmi:a;1')",
      "SELECT * FROM DIGITALTWINS T WHERE T.$metadata.$model != 'dtmi:a;1'",
      "SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.contains WHERE T.$dtId = 'a' AND IS_OF_MODEL(C, 'dtmi:a;1')",
    ]) {
      expect(compileQuery(text, { asOf: { at: 'x' } }).sql).not.toContain('twins_of_models_at');
    }
    expect(compileQuery("SELECT * FROM DIGITALTWINS T WHERE T.$metadata.$model = 'dtmi:a;1'").sql).not.toContain('history.');
  });

  it('walks multi-hop MATCH over the relationships of the moment', () => {
    const { sql } = compileQuery("SELECT B FROM DIGITALTWINS MATCH (A)-[*1..3]->(B) WHERE A.$dtId = 'a'", { asOf: { at: 'x' } });
    expect(sql).toContain('FROM walk JOIN history.relationships_at($1::timestamptz) step');
  });
});
