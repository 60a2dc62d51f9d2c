import { DataSource, QueryFailedError } from 'typeorm';
import { foreignKeyViolation } from './postgres-errors';

const DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Errors as the real Postgres raises them, through TypeORM and as pg's own `driverError`. */
describe('foreignKeyViolation', () => {
  // One connection, so its temporary tables (this test's own, gone when it closes) are there for every query.
  const db = new DataSource({ type: 'postgres', url: DATABASE_URL, poolSize: 1 });

  beforeAll(async () => {
    await db.initialize();
    await db.query('CREATE TEMP TABLE parent (id text PRIMARY KEY)');
    await db.query('CREATE TEMP TABLE child (id text PRIMARY KEY, parent_id text NOT NULL CONSTRAINT child_parent_fk REFERENCES parent (id) ON DELETE RESTRICT)');
    await db.query(`INSERT INTO parent VALUES ('p1')`);
    await db.query(`INSERT INTO child VALUES ('c1', 'p1')`);
  });
  afterAll(() => db.destroy());

  const failure = (sql: string) => db.query(sql).then(() => { throw new Error(`${sql} succeeded`); }, (err: unknown) => err);

  it('names the constraint of an insert that references a missing row', async () => {
    const err = await failure(`INSERT INTO child VALUES ('c2', 'nobody')`);
    expect(err).toBeInstanceOf(QueryFailedError);
    expect(foreignKeyViolation(err)).toEqual({ constraint: 'child_parent_fk' });
    expect(foreignKeyViolation((err as QueryFailedError).driverError)).toEqual({ constraint: 'child_parent_fk' });
  });

  it('names the constraint of a delete that a RESTRICT foreign key refuses', async () => {
    const err = await failure(`DELETE FROM parent WHERE id = 'p1'`);
    expect(foreignKeyViolation(err)).toEqual({ constraint: 'child_parent_fk' });
  });

  it('is undefined for any other error', async () => {
    const unique = await failure(`INSERT INTO parent VALUES ('p1')`);
    expect((unique as QueryFailedError).driverError).toMatchObject({ code: '23505' });
    expect(foreignKeyViolation(unique)).toBeUndefined();
    expect(foreignKeyViolation(await failure('SELECT * FROM no_such_table'))).toBeUndefined();
    expect(foreignKeyViolation(new Error('23503'))).toBeUndefined();
    expect(foreignKeyViolation(null)).toBeUndefined();
    expect(foreignKeyViolation(undefined)).toBeUndefined();
    expect(foreignKeyViolation('23503')).toBeUndefined();
  });
});
