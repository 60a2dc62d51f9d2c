import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { processedEventsTableSql, processOnce } from './process-once';

const DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** At-least-once delivery made harmless: a redelivered event id does its work once. */
describe('processOnce (real Postgres)', () => {
  const table = `processed_${randomBytes(4).toString('hex')}`;
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });

  beforeAll(async () => {
    await pool.query(processedEventsTableSql(table));
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });

  it('runs the work for the first delivery only, and not at all when the work fails', async () => {
    const client = await pool.connect();
    try {
      let runs = 0;
      expect(await processOnce(client, 'e1', async () => void runs++, table)).toBe(true);
      expect(await processOnce(client, 'e1', async () => void runs++, table)).toBe(false);
      expect(runs).toBe(1);
      await expect(processOnce(client, 'e2', async () => { throw new Error('boom'); }, table)).rejects.toThrow('boom');
      // The failed attempt recorded nothing: the redelivery does the work.
      expect(await processOnce(client, 'e2', async () => void runs++, table)).toBe(true);
      expect(runs).toBe(2);
    } finally {
      client.release();
    }
  });
});
