import { randomBytes } from 'node:crypto';
import { compileQuery, takePage } from '@odt/query';
import { Client } from 'pg';
import { loadQueryConfig } from '../config';
import { QueryRepository } from './query.repository';

const DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Documents whose values are equal in one sense and not in another: numbers, strings, arrays, nesting. */
const DOCUMENTS: Record<string, string> = {
  int: '{"n": 25, "s": "x"}',
  decimal: '{"n": 25.0, "s": "x"}',
  exponent: '{"n": 2.5e1}',
  string: '{"n": "25", "s": ["x"]}',
  array: '{"n": [25], "a": [5]}',
  object: '{"n": {"n": 25}, "a": {"0": 5, "b": 1}}',
  nested: '{"a": {"b": 1, "c": {"d": true}}}',
  arrayOfObjects: '{"a": [{"b": 1}]}',
  null: '{"n": null, "b": false}',
  boolString: '{"b": "true"}',
  empty: '{}',
};

/**
 * The containment the compiler adds next to property equalities (for the GIN index) must never
 * change a result: each query's rows with it equal its rows with it neutralised.
 */
describe('document containment on Postgres', () => {
  const schema = `containment_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: DATABASE_URL });
  const repo = new QueryRepository(loadQueryConfig({ DATABASE_URL, DATABASE_POOL_SIZE: '1' }));
  const tables = { twins: `${schema}.twins`, relationships: `${schema}.relationships` };

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.twins (id text PRIMARY KEY, model_id text NOT NULL, model_ancestry text[] NOT NULL, etag uuid NOT NULL, document jsonb NOT NULL)`);
    await admin.query(`CREATE INDEX ON ${schema}.twins USING gin (document jsonb_path_ops)`);
    await admin.query(`CREATE TABLE ${schema}.relationships (source_id text, relationship_id text, name text, target_id text, etag uuid, properties jsonb)`);
    for (const [id, document] of Object.entries(DOCUMENTS)) {
      await admin.query(`INSERT INTO ${schema}.twins VALUES ($1, 'dtmi:m;1', '{dtmi:m;1}', gen_random_uuid(), $2::jsonb)`, [id, document]);
    }
  });
  afterAll(async () => {
    await repo.onApplicationShutdown();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  async function ids(query: string, neutralise: boolean): Promise<string[]> {
    const compiled = compileQuery(query, { tables });
    // Still a typed parameter, but always true.
    const sql = neutralise ? compiled.sql.replace(/t(\d+)\.document @> (\$\d+)::jsonb/g, '$2::jsonb IS NOT NULL') : compiled.sql;
    const { value } = takePage(compiled, await repo.run(sql, compiled.params));
    return value.map((row) => (JSON.parse(row) as { id: string }).id).sort();
  }

  it.each([
    ['T.n = 25', ['decimal', 'exponent', 'int']],
    ['T.n = 25.0', ['decimal', 'exponent', 'int']],
    ["T.n = '25'", ['string']],
    ['T.n = null', ['null']],
    ["T.s = 'x'", ['decimal', 'int']],
    ['T.b = true', []],
    ['T.b = false', ['null']],
    ['T.a.b = 1', ['nested', 'object']],
    ['T.a.c.d = true', ['nested']],
    ["T.n = 25 AND T.s = 'x'", ['decimal', 'int']],
    ["(T.n = 25 AND (T.s = 'x')) AND IS_OF_MODEL('dtmi:m;1')", ['decimal', 'int']],
    ['T.n = 25 AND T.n = 25.0', ['decimal', 'exponent', 'int']],
    ['T.a.b = 1 AND T.a.c.d = true', ['nested']],
  ] as [string, string[]][])('WHERE %s: the same rows with the containment as without it', async (where, expected) => {
    const query = `SELECT T.$dtId AS id FROM DIGITALTWINS T WHERE ${where}`;
    expect(compileQuery(query, { tables }).sql).toContain('t0.document @> ');
    const withContainment = await ids(query, false);
    expect(withContainment).toEqual(expected);
    expect(await ids(query, true)).toEqual(withContainment);
  });

  it.each([
    ['T.a.[[0]] = 5', ['array', 'object']],
    ['NOT T.n = 25', []],
    ["T.n = 25 OR T.s = 'x'", ['decimal', 'exponent', 'int']],
  ] as [string, string[]][])('WHERE %s: no containment, where it would not be implied', async (where, expected) => {
    const query = `SELECT T.$dtId AS id FROM DIGITALTWINS T WHERE ${where}`;
    expect(compileQuery(query, { tables }).sql).not.toContain('@>');
    expect(await ids(query, false)).toEqual(expected);
  });
});
