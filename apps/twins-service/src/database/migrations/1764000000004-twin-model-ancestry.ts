import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each twin's model and every model it extends, written with the twin, so that the query engine's
 * `IS_OF_MODEL` (which includes subtypes) is an indexed array containment, not a model-graph walk.
 */
export class TwinModelAncestry1764000000004 implements MigrationInterface {
  name = 'TwinModelAncestry1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE twins.twins ADD COLUMN model_ancestry text[] NOT NULL DEFAULT '{}'`);
    await q.query(`UPDATE twins.twins SET model_ancestry = ARRAY[model_id] WHERE model_ancestry = '{}'`);
    await q.query(`CREATE INDEX twins_model_ancestry ON twins.twins USING gin (model_ancestry)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX twins.twins_model_ancestry`);
    await q.query(`ALTER TABLE twins.twins DROP COLUMN model_ancestry`);
  }
}
