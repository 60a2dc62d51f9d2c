import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Jobs (imports, deletions, exports), their checkpoints and leases, and their logs. */
export class CreateJobs1764000013004 implements MigrationInterface {
  name = 'CreateJobs1764000013004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS jobs`);
    await q.query(`
      CREATE TABLE jobs.jobs (
        kind text NOT NULL CHECK (kind IN ('import', 'delete', 'export')),
        id text NOT NULL,
        seq bigserial UNIQUE,
        status text NOT NULL,
        input_uri text,
        output_uri text,
        query text,
        -- batch sizes and timeout fixed at creation: a resumed job cuts its batches as the first run did
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        -- who created the job (its events carry it), as "type;id"
        caller jsonb,
        checkpoint jsonb,
        counts jsonb,
        error jsonb,
        cancel_requested boolean NOT NULL DEFAULT false,
        lease_owner text,
        lease_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        last_action_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at timestamptz,
        purge_at timestamptz,
        PRIMARY KEY (kind, id)
      )`);
    // ADT's rule: one bulk job (import or delete) at a time; the database enforces it.
    await q.query(`CREATE UNIQUE INDEX jobs_one_bulk_job ON jobs.jobs ((true)) WHERE kind IN ('import', 'delete') AND status IN ('notstarted', 'running', 'cancelling')`);
    await q.query(`CREATE INDEX jobs_runnable ON jobs.jobs (seq) WHERE status IN ('notstarted', 'running', 'cancelling')`);
    await q.query(`
      CREATE TABLE jobs.job_log (
        seq bigserial PRIMARY KEY,
        kind text NOT NULL,
        job_id text NOT NULL,
        -- what the line is about (a section's start, a line's error): written once, also by a resumed job
        entry text NOT NULL,
        line text NOT NULL,
        UNIQUE (kind, job_id, entry),
        FOREIGN KEY (kind, job_id) REFERENCES jobs.jobs (kind, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX job_log_by_job ON jobs.job_log (kind, job_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jobs.job_log`);
    await q.query(`DROP TABLE jobs.jobs`);
  }
}
