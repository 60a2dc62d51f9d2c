import { DomainError } from '@odt/contracts';
import { loadQueryConfig } from '../config';
import { QueryRepository } from './query.repository';

const DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The query pool against the real Postgres: its statement timeout, its read-only sessions, its prepared statements. */
describe('QueryRepository', () => {
  const repo = new QueryRepository(loadQueryConfig({ DATABASE_URL, QUERY_TIMEOUT_MS: '200', DATABASE_POOL_SIZE: '2' }));
  afterAll(() => repo.onApplicationShutdown());

  it('stops a query past QUERY_TIMEOUT_MS with TimeoutError', async () => {
    const err = await repo.run('SELECT pg_sleep(2)', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('TimeoutError');
  });

  it('cannot write, whatever SQL reaches it, prepared or not', async () => {
    for (let i = 0; i < 3; i++) {
      const err = await repo.run('CREATE TEMP TABLE should_not_exist (x int)', []).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('25006'); // read_only_sql_transaction
    }
  });

  it('returns rows as the JSON text the SQL built', async () => {
    const rows = await repo.run(`SELECT '{"a": 1.50}'::jsonb::text AS row, json_build_array($1::text)::text AS key`, ['k']);
    expect(rows).toEqual([{ row: '{"a": 1.50}', key: '["k"]' }]);
  });

  describe('prepared statements', () => {
    const single = new QueryRepository(loadQueryConfig({ DATABASE_URL, DATABASE_POOL_SIZE: '1', QUERY_PREPARED_STATEMENTS: '2' }));
    afterAll(() => single.onApplicationShutdown());
    const preparedOnConnection = async () =>
      JSON.parse((await single.run(`SELECT COALESCE(json_agg(statement ORDER BY statement), '[]')::text AS row, '[]' AS key FROM pg_prepared_statements`, []))[0].row) as string[];
    const backend = async () => (await single.run(`SELECT pg_backend_pid()::text AS row, '[]' AS key`, []))[0].row;

    it('prepares a statement from its second run, on the connection that runs it', async () => {
      const sql = `SELECT $1::text AS row, '[]' AS key`;
      await single.run(sql, ['"x"']);
      expect(await preparedOnConnection()).not.toContain(sql);
      await single.run(sql, ['"y"']);
      expect(await preparedOnConnection()).toContain(sql);
      expect(await single.run(sql, ['"z"'])).toEqual([{ row: '"z"', key: '[]' }]);
    });

    it('closes a connection that would hold more statements than QUERY_PREPARED_STATEMENTS', async () => {
      const pid = await backend();
      for (const n of [1, 2, 3]) {
        for (let i = 0; i < 2; i++) await single.run(`SELECT '${n}' AS row, '[]' AS key`, []);
      }
      expect(await backend()).not.toBe(pid);
    });

    it('keeps the connection after an error Postgres reported', async () => {
      const pid = await backend();
      await expect(single.run('SELECT 1/0 AS row', [])).rejects.toMatchObject({ code: 'SqlQueryError' });
      expect(await backend()).toBe(pid);
    });
  });
});
