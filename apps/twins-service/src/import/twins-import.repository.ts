import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { outboxChannel, type SqlExecutor } from '@odt/outbox';
import type { DataSource, EntityManager } from 'typeorm';
import { TWINS_SCHEMA } from '../database/data-source';

export interface NewTwinRow {
  id: string;
  modelId: string;
  etag: string;
  document: string;
  eventId: string;
  event: string;
}

const STAMPED_TIME = `to_jsonb(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))`;

/** Many twins in one statement, each with its `Twin.Create` event in the outbox. */
@Injectable()
export class TwinsImportRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /**
   * Inserts the rows whose id is free and appends their events; returns the ids inserted (an id
   * already taken is left alone: import creates, never replaces). `ancestry`: model id → the model
   * and every model it extends.
   */
  async insertNew(tx: SqlExecutor, rows: NewTwinRow[], ancestry: Record<string, string[]>, eventSubject: string): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted = (await tx.query(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::jsonb[], $5::uuid[], $6::jsonb[], $7::int[]) AS t(id, model_id, etag, document, event_id, event, ord)
       ),
       ins AS (
         INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
         SELECT i.id, i.model_id, ARRAY(SELECT jsonb_array_elements_text($8::jsonb -> i.model_id)), i.etag, i.document FROM input i ORDER BY i.ord
         ON CONFLICT (id) DO NOTHING RETURNING id
       ),
       appended AS (
         INSERT INTO twins.outbox (event_id, subject, payload)
         SELECT i.event_id, $9, jsonb_set(i.event, '{time}', ${STAMPED_TIME}) FROM input i JOIN ins USING (id) ORDER BY i.ord
         RETURNING 1
       )
       SELECT id, (SELECT count(*) FROM appended) AS events FROM ins`,
      [
        rows.map((r) => r.id), rows.map((r) => r.modelId), rows.map((r) => r.etag), rows.map((r) => r.document),
        rows.map((r) => r.eventId), rows.map((r) => r.event), rows.map((_, i) => i), JSON.stringify(ancestry), eventSubject,
      ],
    )) as { id: string }[];
    if (inserted.length > 0) await tx.query(`SELECT pg_notify($1, '')`, [outboxChannel(TWINS_SCHEMA)]);
    return new Set(inserted.map((r) => r.id));
  }
}
