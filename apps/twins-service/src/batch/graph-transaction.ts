import type { DigitalTwinsEvent } from '@odt/contracts';
import { appendToOutbox, type OutboxEntry } from '@odt/outbox';
import type { RelationshipRow } from '@odt/graph-domain';
import type { EntityManager } from 'typeorm';
import { TWINS_SCHEMA } from '../database/data-source';
import type { TwinModel, TwinRow } from '../twins/twins.repository';

/** The relationships service's schema: graph batches write its table and its outbox (docs/architecture.md). */
export const RELATIONSHIPS_SCHEMA = 'relationships';

const relColumns = 'source_id, relationship_id, name, target_id, etag, properties';

/** A concurrent writer created a row this batch meant to create: the whole batch runs again. */
export class BatchConflict extends Error {}

/**
 * One Postgres transaction of a graph batch: every twin and relationship it touches is locked
 * (`FOR UPDATE`) when first read, and the batch sees its own writes through these maps, so its
 * operations decide in order on the state the earlier ones left. Each write appends its event to
 * its owner's outbox in the same transaction.
 */
export class GraphTransaction {
  /** null: absent (never there, or deleted by this batch). */
  private readonly twins = new Map<string, TwinRow | null>();
  private readonly relationships = new Map<string, RelationshipRow | null>();

  constructor(readonly tx: EntityManager) {}

  async twin(id: string): Promise<TwinRow | undefined> {
    if (!this.twins.has(id)) {
      const rows: TwinRow[] = await this.tx.query(`SELECT id, model_id, etag, document FROM twins.twins WHERE id = $1 FOR UPDATE`, [id]);
      this.twins.set(id, rows[0] ?? null);
    }
    return this.twins.get(id) ?? undefined;
  }

  /** Existence and model, as this batch left them (for relationship checks); the foreign keys lock. */
  async twinModel(id: string): Promise<string | undefined> {
    if (this.twins.has(id)) return this.twins.get(id)?.model_id;
    const rows: { model_id: string }[] = await this.tx.query(`SELECT model_id FROM twins.twins WHERE id = $1`, [id]);
    return rows[0]?.model_id;
  }

  async insertTwin(row: TwinRow, model: TwinModel, event: OutboxEntry): Promise<void> {
    const rows: unknown[] = await this.tx.query(
      `INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING 1`,
      [row.id, model.id, model.ancestry, row.etag, JSON.stringify(row.document)],
    );
    if (rows.length === 0) throw new BatchConflict(`twin ${row.id} was created concurrently`);
    this.twins.set(row.id, row);
    await this.append(TWINS_SCHEMA, event);
  }

  async updateTwin(row: TwinRow, model: TwinModel, event: OutboxEntry): Promise<void> {
    await this.tx.query(
      `UPDATE twins.twins SET model_id = $2, model_ancestry = $3, etag = $4, document = $5, updated_at = clock_timestamp() WHERE id = $1`,
      [row.id, model.id, model.ancestry, row.etag, JSON.stringify(row.document)],
    );
    this.twins.set(row.id, row);
    await this.append(TWINS_SCHEMA, event);
  }

  /** Throws the foreign-key violation when relationships remain. */
  async deleteTwin(id: string, event: OutboxEntry): Promise<void> {
    await this.tx.query(`DELETE FROM twins.twins WHERE id = $1`, [id]);
    this.twins.set(id, null);
    await this.append(TWINS_SCHEMA, event);
  }

  async relationship(sourceId: string, relationshipId: string): Promise<RelationshipRow | undefined> {
    const key = JSON.stringify([sourceId, relationshipId]);
    if (!this.relationships.has(key)) {
      const rows: RelationshipRow[] = await this.tx.query(
        `SELECT ${relColumns} FROM relationships.relationships WHERE source_id = $1 AND relationship_id = $2 FOR UPDATE`,
        [sourceId, relationshipId],
      );
      this.relationships.set(key, rows[0] ?? null);
    }
    return this.relationships.get(key) ?? undefined;
  }

  /** Every relationship from or to the twin, locked, in (source, id) order. */
  async relationshipsOf(twinId: string): Promise<RelationshipRow[]> {
    const rows: RelationshipRow[] = await this.tx.query(
      `SELECT ${relColumns} FROM relationships.relationships WHERE source_id = $1 OR target_id = $1 ORDER BY source_id, relationship_id FOR UPDATE`,
      [twinId],
    );
    for (const r of rows) this.relationships.set(JSON.stringify([r.source_id, r.relationship_id]), r);
    return rows;
  }

  async countByName(sourceId: string, name: string, except: string): Promise<number> {
    await this.tx.query(`SELECT pg_advisory_xact_lock(hashtext('relationships:' || $1))`, [sourceId]);
    const rows: { n: string }[] = await this.tx.query(
      `SELECT count(*) AS n FROM relationships.relationships WHERE source_id = $1 AND name = $2 AND relationship_id <> $3`,
      [sourceId, name, except],
    );
    return Number(rows[0].n);
  }

  async insertRelationship(row: RelationshipRow, event: OutboxEntry): Promise<void> {
    const rows: unknown[] = await this.tx.query(
      `INSERT INTO relationships.relationships (source_id, relationship_id, name, target_id, etag, properties)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source_id, relationship_id) DO NOTHING RETURNING 1`,
      [row.source_id, row.relationship_id, row.name, row.target_id, row.etag, JSON.stringify(row.properties)],
    );
    if (rows.length === 0) throw new BatchConflict(`relationship ${row.relationship_id} was created concurrently`);
    this.relationships.set(JSON.stringify([row.source_id, row.relationship_id]), row);
    await this.append(RELATIONSHIPS_SCHEMA, event);
  }

  async updateRelationship(row: RelationshipRow, event: OutboxEntry): Promise<void> {
    await this.tx.query(
      `UPDATE relationships.relationships SET name = $3, target_id = $4, etag = $5, properties = $6, updated_at = clock_timestamp()
       WHERE source_id = $1 AND relationship_id = $2`,
      [row.source_id, row.relationship_id, row.name, row.target_id, row.etag, JSON.stringify(row.properties)],
    );
    this.relationships.set(JSON.stringify([row.source_id, row.relationship_id]), row);
    await this.append(RELATIONSHIPS_SCHEMA, event);
  }

  async deleteRelationship(sourceId: string, relationshipId: string, event: OutboxEntry): Promise<void> {
    await this.tx.query(`DELETE FROM relationships.relationships WHERE source_id = $1 AND relationship_id = $2`, [sourceId, relationshipId]);
    this.relationships.set(JSON.stringify([sourceId, relationshipId]), null);
    await this.append(RELATIONSHIPS_SCHEMA, event);
  }

  private append(schema: string, entry: OutboxEntry): Promise<void> {
    return appendToOutbox(this.tx, schema, entry.subject, entry.event as DigitalTwinsEvent);
  }
}

