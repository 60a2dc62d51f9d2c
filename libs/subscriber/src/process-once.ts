import type { PoolClient } from 'pg';

/** DDL of the table `processOnce` records handled event ids in. */
export const processedEventsTableSql = (table = 'processed_events') =>
  `CREATE TABLE IF NOT EXISTS ${table} (event_id text PRIMARY KEY, processed_at timestamptz NOT NULL DEFAULT now())`;

/**
 * Runs `work` for an event id at most once: the id is recorded in the same transaction as the
 * work's own writes, so a redelivered event (at-least-once delivery) changes nothing twice.
 * Returns false when the event had been processed already.
 */
export async function processOnce(client: PoolClient, eventId: string, work: () => Promise<void>, table = 'processed_events'): Promise<boolean> {
  await client.query('BEGIN');
  try {
    const { rowCount } = await client.query(`INSERT INTO ${table} (event_id) VALUES ($1) ON CONFLICT DO NOTHING`, [eventId]);
    if (rowCount === 0) {
      await client.query('ROLLBACK');
      return false;
    }
    await work();
    await client.query('COMMIT');
    return true;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}
