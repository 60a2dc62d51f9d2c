import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A GIN index on twin documents (`jsonb_path_ops`: containment only, a fraction of the default
 * operator class's size), for the query language's property equalities: the query compiler adds
 * `document @> {"path": value}` next to each `=` on a property at the top level of WHERE.
 * Built CONCURRENTLY, so twins stay writable while a large table is indexed; that cannot run in a
 * transaction, and a build that failed half way leaves an invalid index, dropped first.
 */
export class TwinDocumentIndex1764000000006 implements MigrationInterface {
  name = 'TwinDocumentIndex1764000000006';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS twins.twins_document`);
    await q.query(`CREATE INDEX CONCURRENTLY twins_document ON twins.twins USING gin (document jsonb_path_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS twins.twins_document`);
  }
}
