import { DomainError } from '@odt/contracts';
import { loadQueryConfig } from '../config';
import { QueryRepository } from './query.repository';

const DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The query pool against the real Postgres: its statement timeout and its read-only sessions. */
describe('QueryRepository', () => {
  const repo = new QueryRepository(loadQueryConfig({ DATABASE_URL, QUERY_TIMEOUT_MS: '200', DATABASE_POOL_SIZE: '2' }));
  afterAll(() => repo.onApplicationShutdown());

  it('stops a query past QUERY_TIMEOUT_MS with TimeoutError', async () => {
    const err = await repo.run('SELECT pg_sleep(2)', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('TimeoutError');
  });

  it('cannot write, whatever SQL reaches it', async () => {
    const err = await repo.run('CREATE TEMP TABLE should_not_exist (x int)', []).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('25006'); // read_only_sql_transaction
  });
});
