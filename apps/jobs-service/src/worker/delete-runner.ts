import { Inject, Injectable } from '@nestjs/common';
import { EventTypes, MODEL_CHANGED_SUBJECT, eventSubject, namespaced, type ModelChangedNotice } from '@odt/contracts';
import { buildEvent, NATS_CONNECTION } from '@odt/messaging';
import { OutboxWaker } from '@odt/outbox';
import type { NatsConnection } from '@nats-io/transport-node';
import { JOBS_CONFIG, type JobsConfig } from '../config';
import type { JobCounts } from '../jobs/job-row';
import { JobsRepository, rowsOf } from '../jobs/jobs.repository';
import { logEntry } from './import-log';
import { LeaseLost, type JobLease } from './job-lease';

const STAMPED_TIME = `to_jsonb(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))`;

/**
 * The delete job: every relationship, twin and model, in ONE transaction, with a `Delete` event per
 * relationship and twin written to its owner's outbox in that transaction, and the job marked done
 * in it too. Each owner's table is in its own schema of one database, so one connection can do
 * what three services could only do one after another (ADT's is not atomic). See docs/jobs.md.
 */
@Injectable()
export class DeleteRunner {
  constructor(
    private readonly repo: JobsRepository,
    @Inject(JOBS_CONFIG) private readonly config: JobsConfig,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly waker: OutboxWaker,
  ) {}

  async run(lease: JobLease): Promise<void> {
    const job = lease.job;
    const timeoutMs = (job.settings.timeoutInMinutes ?? 720) * 60_000;
    const template = (type: (typeof EventTypes)['TwinDelete' | 'RelationshipDelete']) =>
      JSON.stringify(buildEvent({ type, subject: '-', data: null, source: this.config.EVENTS_SOURCE }));
    let deletedModels: string[] = [];
    try {
      await this.repo.db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
        // The models first (no table refers to them), so that a transaction holding one of them delays
        // the job before it locks the twins and relationships, not while it holds them.
        await tx.query(`DELETE FROM models.model_references`);
        deletedModels = rowsOf<{ id: string }>(await tx.query(`DELETE FROM models.models RETURNING id`)).map((r) => r.id);
        // Writers of either table wait from here to the commit, so every row the events are built
        // from is a row the TRUNCATE removes, and no row is removed without its event.
        await tx.query(`LOCK TABLE relationships.relationships, twins.twins IN ACCESS EXCLUSIVE MODE`);
        const [{ n: relationships }] = await tx.query(
          `WITH appended AS (
             INSERT INTO relationships.outbox (event_id, subject, payload)
             SELECT e.event_id, $1, $2::jsonb || jsonb_build_object(
               'id', e.event_id, 'subject', e.source_id || '/relationships/' || e.relationship_id, 'time', ${STAMPED_TIME},
               'data', jsonb_build_object('$relationshipId', e.relationship_id, '$etag', 'W/"' || e.etag || '"', '$sourceId', e.source_id,
                 '$relationshipName', e.name, '$targetId', e.target_id) || e.properties)
             FROM (SELECT gen_random_uuid() AS event_id, r.* FROM relationships.relationships r) e RETURNING 1
           ) SELECT count(*)::int AS n FROM appended`,
          [eventSubject(this.config.EVENTS_SUBJECT_PREFIX, EventTypes.RelationshipDelete), template(EventTypes.RelationshipDelete)],
        ) as { n: number }[];
        const [{ n: twins }] = await tx.query(
          `WITH appended AS (
             INSERT INTO twins.outbox (event_id, subject, payload)
             SELECT e.event_id, $1, $2::jsonb || jsonb_build_object(
               'id', e.event_id, 'subject', e.id, 'time', ${STAMPED_TIME},
               'data', jsonb_build_object('$dtId', e.id, '$etag', 'W/"' || e.etag || '"') || e.document)
             FROM (SELECT gen_random_uuid() AS event_id, t.* FROM twins.twins t) e RETURNING 1
           ) SELECT count(*)::int AS n FROM appended`,
          [eventSubject(this.config.EVENTS_SUBJECT_PREFIX, EventTypes.TwinDelete), template(EventTypes.TwinDelete)],
        ) as { n: number }[];
        // Everything goes: TRUNCATE instead of a DELETE per row (no per-row trigger, foreign-key or
        // index work; the tables' TRUNCATE triggers empty the property index and reset the count).
        await tx.query(`TRUNCATE relationships.relationships, twins.twins`);
        const counts: JobCounts = { models: deletedModels.length, twins, relationships, errors: 0 };
        const log = [logEntry('job:end', job.id, 'Info', { status: 'Succeeded', ...counts }, 'Delete')];
        if (!(await this.repo.finish('delete', job.id, lease.owner, 'succeeded', undefined, counts, log, this.config.JOBS_RETENTION_HOURS, tx))) {
          throw new LeaseLost(`delete job ${job.id} was taken over`);
        }
      });
    } catch (err) {
      if (err instanceof LeaseLost) throw err;
      const timedOut = (err as { code?: string }).code === '57014';
      const error = timedOut
        ? { code: 'TimeoutError', message: `The delete job did not finish within ${job.settings.timeoutInMinutes} minutes; nothing was deleted.` }
        : { code: 'InternalServerError', message: `The delete job failed; nothing was deleted: ${(err as Error).message}` };
      await this.repo.finish('delete', job.id, lease.owner, 'failed', error, undefined, [logEntry('job:end', job.id, 'Error', { status: 'Failed', ...error }, 'Delete')], this.config.JOBS_RETENTION_HOURS);
      return;
    }
    // Committed: the relays publish the Delete events now rather than at their next poll.
    this.waker.wake('relationships', 'twins');
    // The models' caches in the twins and relationships services drop them.
    for (const id of deletedModels) this.notify({ id, change: 'deleted' });
  }

  private notify(notice: ModelChangedNotice): void {
    try {
      this.nc.publish(namespaced(this.config.NATS_NAMESPACE, MODEL_CHANGED_SUBJECT), JSON.stringify(notice));
    } catch {
      // NATS reconnecting: the caches' TTL covers a lost notice.
    }
  }
}
