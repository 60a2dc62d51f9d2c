import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { TwinDocument } from './twin-document';

export interface TwinRow {
  id: string;
  model_id: string;
  etag: string;
  document: TwinDocument;
}

/** The twins schema; every statement parameterised. */
@Injectable()
export class TwinsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    // Postgres' default isolation (read committed); naming it would cost a round trip per write.
    return this.db.transaction(work);
  }

  async get(id: string): Promise<TwinRow | undefined> {
    const rows: TwinRow[] = await this.db.query(`SELECT id, model_id, etag, document FROM twins.twins WHERE id = $1`, [id]);
    return rows[0];
  }

  /** Takes the twin's row lock: writes to one twin are serialised here, commit order = event order. */
  async lock(tx: EntityManager, id: string): Promise<TwinRow | undefined> {
    const rows: TwinRow[] = await tx.query(`SELECT id, model_id, etag, document FROM twins.twins WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0];
  }

  /** False when a concurrent writer created the same id first. */
  async insert(tx: EntityManager, id: string, modelId: string, etag: string, doc: TwinDocument): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO twins.twins (id, model_id, etag, document) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING 1`,
      [id, modelId, etag, JSON.stringify(doc)],
    );
    return rows.length === 1;
  }

  async update(tx: EntityManager, id: string, modelId: string, etag: string, doc: TwinDocument): Promise<void> {
    await tx.query(
      `UPDATE twins.twins SET model_id = $2, etag = $3, document = $4, updated_at = clock_timestamp() WHERE id = $1`,
      [id, modelId, etag, JSON.stringify(doc)],
    );
  }

  async delete(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`DELETE FROM twins.twins WHERE id = $1`, [id]);
  }
}
