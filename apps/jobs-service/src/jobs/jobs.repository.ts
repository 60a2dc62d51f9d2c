import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Caller, JobError, JobKind } from '@odt/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { JOB_COLUMNS, type ImportCheckpoint, type JobCounts, type JobRow, type JobSettings } from './job-row';

const UNIQUE_VIOLATION = '23505';

/** TypeORM answers an UPDATE or DELETE with `[rows, rowCount]`, an INSERT or SELECT with the rows. */
export function rowsOf<T>(result: unknown): T[] {
  const r = result as unknown[];
  return r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? (r[0] as T[]) : (r as T[]);
}

export interface NewJob {
  kind: JobKind;
  id: string;
  inputUri?: string;
  outputUri?: string;
  query?: string;
  settings: JobSettings;
  caller?: Caller;
}

/** One line of a job's log, written once per `entry` (a resumed job writes the same entries again). */
export interface LogEntry {
  entry: string;
  line: string;
}

export type CreateOutcome = { row: JobRow } | { conflict: 'id' | 'bulk' };

/** The jobs schema: job rows with their checkpoint and lease, and their logs. */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() readonly db: DataSource) {}

  async create(job: NewJob): Promise<CreateOutcome> {
    try {
      const rows: JobRow[] = await this.db.query(
        `INSERT INTO jobs.jobs (kind, id, status, input_uri, output_uri, query, settings, caller) VALUES ($1, $2, 'notstarted', $3, $4, $5, $6, $7)
         RETURNING ${JOB_COLUMNS}`,
        [job.kind, job.id, job.inputUri ?? null, job.outputUri ?? null, job.query ?? null, JSON.stringify(job.settings), job.caller ? JSON.stringify(job.caller) : null],
      );
      return { row: rows[0] };
    } catch (err) {
      const e = err as { code?: string; constraint?: string; driverError?: { constraint?: string } };
      if (e.code === UNIQUE_VIOLATION) return { conflict: (e.constraint ?? e.driverError?.constraint) === 'jobs_one_bulk_job' ? 'bulk' : 'id' };
      throw err;
    }
  }

  async get(kind: JobKind, id: string): Promise<JobRow | undefined> {
    const rows: JobRow[] = await this.db.query(`SELECT ${JOB_COLUMNS} FROM jobs.jobs WHERE kind = $1 AND id = $2`, [kind, id]);
    return rows[0];
  }

  async list(kind: JobKind, afterSeq: string | undefined, limit: number): Promise<JobRow[]> {
    return this.db.query(
      `SELECT ${JOB_COLUMNS} FROM jobs.jobs WHERE kind = $1 AND ($2::bigint IS NULL OR seq > $2) ORDER BY seq LIMIT $3`,
      [kind, afterSeq ?? null, limit],
    );
  }

  /** Forgets a job and its log; a worker running it stops at its next checkpoint (the row is gone). */
  /** Forgets a job; returns what its files were (undefined: no such job). */
  async delete(kind: JobKind, id: string): Promise<ForgottenJob | undefined> {
    return rowsOf<ForgottenJob>(await this.db.query(`DELETE FROM jobs.jobs WHERE kind = $1 AND id = $2 RETURNING kind, id, input_uri, output_uri`, [kind, id]))[0];
  }

  /** Asks a job to stop between batches; a job not started yet is cancelled at once. */
  async cancel(kind: JobKind, id: string): Promise<JobRow | undefined> {
    const rows = rowsOf<JobRow>(await this.db.query(
      `UPDATE jobs.jobs SET
         cancel_requested = true,
         status = CASE WHEN status = 'notstarted' THEN 'cancelled' WHEN status = 'running' THEN 'cancelling' ELSE status END,
         finished_at = CASE WHEN status = 'notstarted' THEN clock_timestamp() ELSE finished_at END,
         last_action_at = clock_timestamp()
       WHERE kind = $1 AND id = $2 RETURNING ${JOB_COLUMNS}`,
      [kind, id],
    ));
    return rows[0];
  }

  /**
   * Takes the oldest runnable job nobody holds (never started, or whose holder's lease ran out: a
   * worker that died), for `leaseMs`.
   */
  async claim(owner: string, leaseMs: number): Promise<JobRow | undefined> {
    const rows = rowsOf<JobRow>(await this.db.query(
      `UPDATE jobs.jobs j SET lease_owner = $1, lease_expires_at = clock_timestamp() + make_interval(secs => $2),
         status = CASE WHEN j.status = 'notstarted' THEN 'running' ELSE j.status END, last_action_at = clock_timestamp()
       WHERE (j.kind, j.id) = (
         SELECT kind, id FROM jobs.jobs WHERE status IN ('notstarted', 'running', 'cancelling')
           AND (lease_owner IS NULL OR lease_expires_at < clock_timestamp())
         ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED
       ) RETURNING ${JOB_COLUMNS}`,
      [owner, leaseMs / 1000],
    ));
    return rows[0];
  }

  /** Extends the lease; undefined when the job is no longer this worker's (taken over, or forgotten). */
  async heartbeat(kind: JobKind, id: string, owner: string, leaseMs: number, tx: EntityManager | DataSource = this.db): Promise<{ cancel: boolean } | undefined> {
    const rows = rowsOf<{ cancel_requested: boolean }>(await tx.query(
      `UPDATE jobs.jobs SET lease_expires_at = clock_timestamp() + make_interval(secs => $4)
       WHERE kind = $1 AND id = $2 AND lease_owner = $3 RETURNING cancel_requested`,
      [kind, id, owner, leaseMs / 1000],
    ));
    return rows[0] ? { cancel: rows[0].cancel_requested } : undefined;
  }

  /**
   * Records a committed batch: its log lines and the checkpoint after it, in one transaction, and
   * only while the lease is this worker's. Undefined when it no longer is.
   */
  async checkpoint(
    kind: JobKind, id: string, owner: string, leaseMs: number, checkpoint: ImportCheckpoint, counts: JobCounts, log: LogEntry[],
  ): Promise<{ cancel: boolean } | undefined> {
    return this.db.transaction(async (tx) => {
      const held = rowsOf<{ cancel_requested: boolean }>(await tx.query(
        `UPDATE jobs.jobs SET checkpoint = $4, counts = $5, last_action_at = clock_timestamp(), lease_expires_at = clock_timestamp() + make_interval(secs => $6)
         WHERE kind = $1 AND id = $2 AND lease_owner = $3 RETURNING cancel_requested`,
        [kind, id, owner, JSON.stringify(checkpoint), JSON.stringify(counts), leaseMs / 1000],
      ));
      if (held.length === 0) return undefined;
      await this.appendLog(tx, kind, id, log);
      return { cancel: held[0].cancel_requested };
    });
  }

  async appendLog(tx: EntityManager | DataSource, kind: JobKind, id: string, log: LogEntry[]): Promise<void> {
    if (log.length === 0) return;
    await tx.query(
      `INSERT INTO jobs.job_log (kind, job_id, entry, line) SELECT $1, $2, e, l FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS t(e, l, n) ORDER BY n
       ON CONFLICT (kind, job_id, entry) DO NOTHING`,
      [kind, id, log.map((l) => l.entry), log.map((l) => l.line)],
    );
  }

  /** Ends the job (while it is this worker's), with its last log lines. */
  async finish(
    kind: JobKind, id: string, owner: string, status: JobRow['status'], error: JobError | undefined, counts: JobCounts | undefined,
    log: LogEntry[], retentionHours: number, tx?: EntityManager,
  ): Promise<boolean> {
    const work = async (t: EntityManager) => {
      const rows = rowsOf(await t.query(
        `UPDATE jobs.jobs SET status = $4, error = $5, counts = COALESCE($6, counts), lease_owner = NULL, lease_expires_at = NULL,
           finished_at = clock_timestamp(), last_action_at = clock_timestamp(), purge_at = clock_timestamp() + make_interval(hours => $7)
         WHERE kind = $1 AND id = $2 AND lease_owner = $3 RETURNING 1`,
        [kind, id, owner, status, error ? JSON.stringify(error) : null, counts ? JSON.stringify(counts) : null, retentionHours],
      ));
      if (rows.length === 0) return false;
      await this.appendLog(t, kind, id, log);
      return true;
    };
    return tx ? work(tx) : this.db.transaction(work);
  }

  async logPage(kind: JobKind, id: string, after: number, limit: number): Promise<{ seq: string; line: string }[]> {
    return this.db.query(`SELECT seq, line FROM jobs.job_log WHERE kind = $1 AND job_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`, [kind, id, after, limit]);
  }

  /** Finished jobs past their purge time are forgotten; returns them (their files go too). */
  async purge(): Promise<ForgottenJob[]> {
    return rowsOf<ForgottenJob>(await this.db.query(`DELETE FROM jobs.jobs WHERE purge_at < clock_timestamp() RETURNING kind, id, input_uri, output_uri`));
  }
}

/** A job just forgotten: what is needed to remove its files. */
export interface ForgottenJob {
  kind: JobKind;
  id: string;
  input_uri: string | null;
  output_uri: string | null;
}
