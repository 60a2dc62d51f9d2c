import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { OutboxWaker } from '@odt/outbox';
import type { DataSource, EntityManager } from 'typeorm';
import { RELATIONSHIPS_SCHEMA } from '../database/data-source';
import type { RelationshipRow } from './relationship-document';

export interface TwinRef {
  id: string;
  model_id: string;
}

const columns = 'source_id, relationship_id, name, target_id, etag, properties';

/**
 * The relationships schema. Twins are read from `twins.twins` (read-only: existence and model of
 * source and target); the foreign keys make the database the arbiter of graph integrity.
 */
@Injectable()
export class RelationshipsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly waker: OutboxWaker,
  ) {}

  /** A write's transaction; once it has committed, the outbox relay is woken (its events are in the outbox). */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    // Postgres' default isolation (read committed); naming it would cost a round trip per write.
    return this.waker.afterCommit([RELATIONSHIPS_SCHEMA], () => this.db.transaction(work));
  }

  async twins(ids: string[]): Promise<TwinRef[]> {
    return this.db.query(`SELECT id, model_id FROM twins.twins WHERE id = ANY($1::text[])`, [ids]);
  }

  async twinExists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM twins.twins WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  async get(sourceId: string, relationshipId: string): Promise<RelationshipRow | undefined> {
    const rows: RelationshipRow[] = await this.db.query(`SELECT ${columns} FROM relationships.relationships WHERE source_id = $1 AND relationship_id = $2`, [sourceId, relationshipId]);
    return rows[0];
  }

  /** Takes the relationship's row lock: its writes are serialised, commit order = event order. */
  async lock(tx: EntityManager, sourceId: string, relationshipId: string): Promise<RelationshipRow | undefined> {
    const rows: RelationshipRow[] = await tx.query(
      `SELECT ${columns} FROM relationships.relationships WHERE source_id = $1 AND relationship_id = $2 FOR UPDATE`,
      [sourceId, relationshipId],
    );
    return rows[0];
  }

  /** Serialises writes that change how many relationships of a name a twin has (maxMultiplicity). */
  async lockSourceForCounting(tx: EntityManager, sourceId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('relationships:' || $1))`, [sourceId]);
  }

  async countByName(tx: EntityManager, sourceId: string, name: string, except: string): Promise<number> {
    const rows: { n: string }[] = await tx.query(
      `SELECT count(*) AS n FROM relationships.relationships WHERE source_id = $1 AND name = $2 AND relationship_id <> $3`,
      [sourceId, name, except],
    );
    return Number(rows[0].n);
  }

  /** False when a concurrent writer created the same relationship first. */
  async insert(tx: EntityManager, row: RelationshipRow): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO relationships.relationships (source_id, relationship_id, name, target_id, etag, properties)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source_id, relationship_id) DO NOTHING RETURNING 1`,
      [row.source_id, row.relationship_id, row.name, row.target_id, row.etag, JSON.stringify(row.properties)],
    );
    return rows.length === 1;
  }

  async update(tx: EntityManager, row: RelationshipRow): Promise<void> {
    await tx.query(
      `UPDATE relationships.relationships SET name = $3, target_id = $4, etag = $5, properties = $6, updated_at = clock_timestamp()
       WHERE source_id = $1 AND relationship_id = $2`,
      [row.source_id, row.relationship_id, row.name, row.target_id, row.etag, JSON.stringify(row.properties)],
    );
  }

  async delete(tx: EntityManager, sourceId: string, relationshipId: string): Promise<void> {
    await tx.query(`DELETE FROM relationships.relationships WHERE source_id = $1 AND relationship_id = $2`, [sourceId, relationshipId]);
  }

  /** Outgoing relationships in id order, after the cursor's id (keyset paging). */
  async outgoing(sourceId: string, name: string | undefined, afterId: string | undefined, limit: number): Promise<RelationshipRow[]> {
    return this.db.query(
      `SELECT ${columns} FROM relationships.relationships
       WHERE source_id = $1 AND ($2::text IS NULL OR name = $2) AND ($3::text IS NULL OR relationship_id > $3)
       ORDER BY relationship_id LIMIT $4`,
      [sourceId, name ?? null, afterId ?? null, limit],
    );
  }

  /** Incoming relationships in (source, id) order, after the cursor (keyset paging). */
  async incoming(targetId: string, after: [string, string] | undefined, limit: number): Promise<RelationshipRow[]> {
    return this.db.query(
      `SELECT ${columns} FROM relationships.relationships
       WHERE target_id = $1 AND ($2::text IS NULL OR (source_id, relationship_id) > ($2, $3))
       ORDER BY source_id, relationship_id LIMIT $4`,
      [targetId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }
}
