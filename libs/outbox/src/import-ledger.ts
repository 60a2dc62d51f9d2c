import type { SqlExecutor } from './outbox';

/**
 * DDL of a service's import ledger, for its migration: one row per batch of an import job that the
 * service wrote, committed with the batch's rows and events, holding the batch's answer.
 */
export function importLedgerTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".import_batches (
      job_id text NOT NULL,
      batch integer NOT NULL,
      reply jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (job_id, batch)
    )`,
  ];
}

/**
 * Runs `work` (the batch's writes) once per `(jobId, batch)`: inside the caller's transaction, the
 * ledger row is claimed first (a concurrent sender of the same batch waits on it, then finds it),
 * and the reply stored with the writes. A batch sent again (the job resumed after a crash) is not
 * written again: the first reply is returned.
 */
export async function oncePerImportBatch<T>(tx: SqlExecutor, schema: string, jobId: string, batch: number, work: () => Promise<T>): Promise<T> {
  const claimed = (await tx.query(
    `INSERT INTO "${schema}".import_batches (job_id, batch, reply) VALUES ($1, $2, 'null'::jsonb) ON CONFLICT DO NOTHING RETURNING 1`,
    [jobId, batch],
  )) as unknown[];
  if (claimed.length === 0) {
    const rows = (await tx.query(`SELECT reply FROM "${schema}".import_batches WHERE job_id = $1 AND batch = $2`, [jobId, batch])) as { reply: T }[];
    return rows[0].reply;
  }
  const reply = await work();
  await tx.query(`UPDATE "${schema}".import_batches SET reply = $3 WHERE job_id = $1 AND batch = $2`, [jobId, batch, JSON.stringify(reply)]);
  return reply;
}
