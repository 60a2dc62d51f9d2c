import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { OutboxWaker, type SqlExecutor } from '@odt/outbox';
import type { DataSource, EntityManager } from 'typeorm';
import { RELATIONSHIPS_SCHEMA } from '../database/data-source';

export interface NewRelationshipRow {
  sourceId: string;
  relationshipId: string;
  name: string;
  targetId: string;
  /** The relationship's properties, as JSON text. */
  properties: string;
}

const STAMPED_TIME = `to_jsonb(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))`;

/** Many relationships in one statement, each with its `Relationship.Create` event in the outbox. */
@Injectable()
export class RelationshipsImportRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly waker: OutboxWaker,
  ) {}

  /** A batch's transaction; once it has committed, the outbox relay is woken. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.waker.afterCommit([RELATIONSHIPS_SCHEMA], () => this.db.transaction(work));
  }

  /** Source and target twins of a batch: existence and model (read-only, as the single writes read them). */
  async twins(ids: string[]): Promise<Map<string, string>> {
    const rows: { id: string; model_id: string }[] = await this.db.query(`SELECT id, model_id FROM twins.twins WHERE id = ANY($1::text[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.model_id]));
  }

  /** Serialises, with the single writes, the counting of a source's relationships (maxMultiplicity). */
  async countByName(tx: SqlExecutor, pairs: { sourceId: string; name: string }[]): Promise<Map<string, number>> {
    const sources = [...new Set(pairs.map((p) => p.sourceId))].sort();
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('relationships:' || s)) FROM unnest($1::text[]) AS s ORDER BY s`, [sources]);
    const rows = (await tx.query(
      `SELECT r.source_id, r.name, count(*) AS n FROM relationships.relationships r
       JOIN unnest($1::text[], $2::text[]) AS p(source_id, name) ON r.source_id = p.source_id AND r.name = p.name
       GROUP BY r.source_id, r.name`,
      [pairs.map((p) => p.sourceId), pairs.map((p) => p.name)],
    )) as { source_id: string; name: string; n: string }[];
    return new Map(rows.map((r) => [`${r.source_id}\u0000${r.name}`, Number(r.n)]));
  }

  /**
   * Inserts the rows whose (source, id) is free with their events; returns the keys inserted.
   * `eventTemplate`: a `Relationship.Create` event as `buildEvent` gives it, completed per
   * relationship in SQL from the inserted row (`id`, `subject`, `time`, `data` = the relationship
   * as GET returns it). The rows travel as one JSON parameter, `[[source, id, name, target,
   * properties], …]`, the properties' JSON concatenated as it is.
   */
  async insertNew(tx: SqlExecutor, rows: NewRelationshipRow[], eventSubject: string, eventTemplate: string): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    let json = '[';
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      json += `${i === 0 ? '' : ','}[${JSON.stringify(r.sourceId)},${JSON.stringify(r.relationshipId)},${JSON.stringify(r.name)},${JSON.stringify(r.targetId)},${r.properties}]`;
    }
    json += ']';
    const inserted = (await tx.query(
      `WITH input AS MATERIALIZED (
         SELECT r->>0 AS source_id, r->>1 AS relationship_id, r->>2 AS name, r->>3 AS target_id, r->4 AS properties,
           gen_random_uuid() AS etag, gen_random_uuid() AS event_id, t.ord
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(r, ord)
       ),
       ins AS (
         INSERT INTO relationships.relationships (source_id, relationship_id, name, target_id, etag, properties)
         SELECT i.source_id, i.relationship_id, i.name, i.target_id, i.etag, i.properties FROM input i ORDER BY i.ord
         ON CONFLICT (source_id, relationship_id) DO NOTHING RETURNING source_id, relationship_id
       ),
       appended AS (
         INSERT INTO relationships.outbox (event_id, subject, payload)
         SELECT i.event_id, $2, $3::jsonb || jsonb_build_object(
           'id', i.event_id, 'subject', i.source_id || '/relationships/' || i.relationship_id, 'time', ${STAMPED_TIME},
           'data', jsonb_build_object('$relationshipId', i.relationship_id, '$etag', 'W/"' || i.etag || '"', '$sourceId', i.source_id,
             '$relationshipName', i.name, '$targetId', i.target_id) || i.properties)
         FROM input i JOIN ins USING (source_id, relationship_id) ORDER BY i.ord
         RETURNING 1
       )
       SELECT source_id, relationship_id, (SELECT count(*) FROM appended) AS events FROM ins`,
      [json, eventSubject, eventTemplate],
    )) as { source_id: string; relationship_id: string }[];
    return new Set(inserted.map((r) => relationshipKey(r.source_id, r.relationship_id)));
  }
}

export const relationshipKey = (sourceId: string, relationshipId: string) => `${sourceId}\u0000${relationshipId}`;
