import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { changeWithEvent, OutboxWaker, type OutboxEntry } from '@odt/outbox';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { TWINS_SCHEMA } from '../database/data-source';
import type { TwinDocument } from './twin-document';

/** A twin's model and every model it extends (for the query engine's `IS_OF_MODEL`). */
export interface TwinModel {
  id: string;
  ancestry: string[];
}

export interface TwinRow {
  id: string;
  model_id: string;
  etag: string;
  document: TwinDocument;
}

/**
 * The twins schema. Every write is one statement that also appends its event (see
 * `changeWithEvent`) and is conditional on the ETag the caller read: optimistic concurrency, so a
 * write costs two round trips (read, write) and no transaction.
 */
@Injectable()
export class TwinsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly waker: OutboxWaker,
  ) {}

  /** The write and its event, committed; then the relay is woken. */
  private async write(change: { sql: string; params: unknown[] }, event: OutboxEntry): Promise<boolean> {
    const changed = await changeWithEvent(this.db, TWINS_SCHEMA, change, event);
    if (changed) this.waker.wake(TWINS_SCHEMA);
    return changed;
  }

  /** The hottest query of all: straight to the driver's pool, past TypeORM's per-query runner. */
  async get(id: string): Promise<TwinRow | undefined> {
    const pool = (this.db.driver as PostgresDriver).master as Pool;
    const { rows } = await pool.query<TwinRow>(`SELECT id, model_id, etag, document FROM twins.twins WHERE id = $1`, [id]);
    return rows[0];
  }

  /** False when the id exists (created concurrently, or already there). */
  insert(id: string, model: TwinModel, etag: string, doc: TwinDocument, event: OutboxEntry): Promise<boolean> {
    return this.write({
      sql: `INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING 1`,
      params: [id, model.id, model.ancestry, etag, JSON.stringify(doc)],
    }, event);
  }

  /** False when the twin changed (or vanished) since it was read as `expectedEtag`. */
  update(id: string, expectedEtag: string, model: TwinModel, etag: string, doc: TwinDocument, event: OutboxEntry): Promise<boolean> {
    return this.write({
      sql: `UPDATE twins.twins SET model_id = $3, model_ancestry = $4, etag = $5, document = $6, updated_at = clock_timestamp()
            WHERE id = $1 AND etag = $2 RETURNING 1`,
      params: [id, expectedEtag, model.id, model.ancestry, etag, JSON.stringify(doc)],
    }, event);
  }

  /** False when the twin changed since it was read; a foreign-key error when relationships remain. */
  delete(id: string, expectedEtag: string, event: OutboxEntry): Promise<boolean> {
    return this.write({
      sql: `DELETE FROM twins.twins WHERE id = $1 AND etag = $2 RETURNING 1`,
      params: [id, expectedEtag],
    }, event);
  }
}
