import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { OutboxWaker, type SqlExecutor } from '@odt/outbox';
import type { DataSource, EntityManager } from 'typeorm';
import { TWINS_SCHEMA } from '../database/data-source';

export interface NewTwinRow {
  id: string;
  modelId: string;
  /** The twin's document, as JSON text. */
  document: string;
}

const STAMPED_TIME = `to_jsonb(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))`;

/** Many twins in one statement, each with its `Twin.Create` event in the outbox. */
@Injectable()
export class TwinsImportRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly waker: OutboxWaker,
  ) {}

  /** A batch's transaction; once it has committed, the outbox relay is woken. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.waker.afterCommit([TWINS_SCHEMA], () => this.db.transaction(work));
  }

  /**
   * Inserts the rows whose id is free and appends their events; returns the ids inserted (an id
   * already taken is left alone: import creates, never replaces). `ancestry`: model id → the model
   * and every model it extends. `eventTemplate`: a `Twin.Create` event as `buildEvent` gives it;
   * each twin's event is that, with its own `id`, `subject`, `time` and `data` (the twin as GET
   * returns it: `$dtId`, `$etag` and the document), built in SQL from the inserted row.
   *
   * The rows travel as ONE JSON parameter, `[[id, model, document], …]`, written by concatenating
   * the documents' JSON as it is (no array-literal escaping of every document, no second copy of
   * it in a client-built event).
   */
  async insertNew(tx: SqlExecutor, rows: NewTwinRow[], ancestry: Record<string, string[]>, eventSubject: string, eventTemplate: string): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    let json = '[';
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      json += `${i === 0 ? '' : ','}[${JSON.stringify(r.id)},${JSON.stringify(r.modelId)},${r.document}]`;
    }
    json += ']';
    const inserted = (await tx.query(
      `WITH input AS MATERIALIZED (
         SELECT r->>0 AS id, r->>1 AS model_id, r->2 AS document, gen_random_uuid() AS etag, gen_random_uuid() AS event_id, t.ord
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(r, ord)
       ),
       ins AS (
         INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
         SELECT i.id, i.model_id, ARRAY(SELECT jsonb_array_elements_text($2::jsonb -> i.model_id)), i.etag, i.document FROM input i ORDER BY i.ord
         ON CONFLICT (id) DO NOTHING RETURNING id
       ),
       appended AS (
         INSERT INTO twins.outbox (event_id, subject, payload)
         SELECT i.event_id, $3, $4::jsonb || jsonb_build_object(
           'id', i.event_id, 'subject', i.id, 'time', ${STAMPED_TIME},
           'data', jsonb_build_object('$dtId', i.id, '$etag', 'W/"' || i.etag || '"') || i.document)
         FROM input i JOIN ins USING (id) ORDER BY i.ord
         RETURNING 1
       )
       SELECT id, (SELECT count(*) FROM appended) AS events FROM ins`,
      [json, JSON.stringify(ancestry), eventSubject, eventTemplate],
    )) as { id: string }[];
    return new Set(inserted.map((r) => r.id));
  }
}
