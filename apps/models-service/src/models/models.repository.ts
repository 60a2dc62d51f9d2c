import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FlattenedInterface } from '@odt/contracts';
import type { DataSource, EntityManager } from 'typeorm';

export interface StoredModelRow {
  id: string;
  seq: string;
  document: Record<string, unknown>;
  display_name: Record<string, string> | null;
  description: Record<string, string>;
  upload_time: string;
  decommissioned: boolean;
}

export interface NewModelRow {
  id: string;
  dtdlVersion: number;
  document: unknown;
  displayName?: Record<string, string>;
  description: Record<string, string>;
  flattened: FlattenedInterface;
  references: { id: string; kind: 'extends' | 'component' | 'relationshipTarget' }[];
}

const columns = `id, seq, document, display_name, description,
  to_char(upload_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS upload_time, decommissioned`;

/** The models schema; every statement parameterised. */
@Injectable()
export class ModelsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async existingIds(ids: string[], tx: EntityManager | DataSource = this.db): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(`SELECT id FROM models.models WHERE id = ANY($1::text[])`, [ids]);
    return rows.map((r) => r.id);
  }

  async documents(ids: string[]): Promise<unknown[]> {
    const rows: { document: unknown }[] = await this.db.query(`SELECT document FROM models.models WHERE id = ANY($1::text[])`, [ids]);
    return rows.map((r) => r.document);
  }

  async insertAll(tx: EntityManager, models: NewModelRow[]): Promise<StoredModelRow[]> {
    const rows: StoredModelRow[] = await tx.query(
      `INSERT INTO models.models (id, dtdl_version, document, display_name, description, flattened)
       SELECT m.id, m.dtdl_version, m.document, m.display_name, m.description, m.flattened
       FROM jsonb_to_recordset($1::jsonb) AS m(ord int, id text, dtdl_version smallint, document jsonb, display_name jsonb, description jsonb, flattened jsonb)
       ORDER BY m.ord
       RETURNING ${columns}`,
      [JSON.stringify(models.map((m, ord) => ({
        ord, id: m.id, dtdl_version: m.dtdlVersion, document: m.document,
        display_name: m.displayName ?? null, description: m.description, flattened: m.flattened,
      })))],
    );
    const refs = models.flatMap((m) => m.references.map((r) => ({ model_id: m.id, referenced_id: r.id, kind: r.kind })));
    if (refs.length > 0) {
      await tx.query(
        `INSERT INTO models.model_references (model_id, referenced_id, kind)
         SELECT r.model_id, r.referenced_id, r.kind FROM jsonb_to_recordset($1::jsonb) AS r(model_id text, referenced_id text, kind text)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(refs)],
      );
    }
    return rows;
  }

  /** Holds stored models an upload references, so they cannot be deleted before it commits. */
  async lockReferenced(tx: EntityManager, ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(`SELECT id FROM models.models WHERE id = ANY($1::text[]) FOR SHARE`, [ids]);
    return rows.map((r) => r.id);
  }

  async get(id: string): Promise<StoredModelRow | undefined> {
    const rows: StoredModelRow[] = await this.db.query(`SELECT ${columns} FROM models.models WHERE id = $1`, [id]);
    return rows[0];
  }

  /** A page in upload order; `ids` restricts it (the dependency closure). */
  async page(afterSeq: string | undefined, limit: number, ids?: string[]): Promise<StoredModelRow[]> {
    return this.db.query(
      `SELECT ${columns} FROM models.models
       WHERE seq > $1 AND ($2::text[] IS NULL OR id = ANY($2::text[]))
       ORDER BY seq LIMIT $3`,
      [afterSeq ?? '0', ids ?? null, limit],
    );
  }

  /** The given models and everything they depend on through `extends` and components, transitively. */
  async dependencyClosure(ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `WITH RECURSIVE closure(id) AS (
         SELECT unnest($1::text[])
         UNION
         SELECT r.referenced_id FROM models.model_references r JOIN closure c ON r.model_id = c.id
         WHERE r.kind IN ('extends', 'component')
       ) SELECT id FROM closure`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  async decommission(id: string): Promise<boolean> {
    const [, count] = (await this.db.query(`UPDATE models.models SET decommissioned = true WHERE id = $1`, [id])) as [unknown, number];
    return count > 0;
  }

  /** Models that would break without this one: they extend it or use it as a component. */
  async referencedBy(tx: EntityManager, id: string): Promise<string[]> {
    const rows: { model_id: string }[] = await tx.query(
      `SELECT DISTINCT model_id FROM models.model_references
       WHERE referenced_id = $1 AND kind IN ('extends', 'component') AND model_id <> $1 ORDER BY model_id`,
      [id],
    );
    return rows.map((r) => r.model_id);
  }

  /** Deletes under a row lock so a concurrent upload cannot start referencing it mid-way. */
  async lockForDelete(tx: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(`SELECT 1 FROM models.models WHERE id = $1 FOR UPDATE`, [id]);
    return rows.length > 0;
  }

  async delete(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`DELETE FROM models.models WHERE id = $1`, [id]);
  }

  async flattened(ids: string[]): Promise<{ id: string; decommissioned: boolean; flattened: FlattenedInterface }[]> {
    return this.db.query(`SELECT id, decommissioned, flattened FROM models.models WHERE id = ANY($1::text[])`, [ids]);
  }
}
