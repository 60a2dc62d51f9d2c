import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateModels1764000000000 implements MigrationInterface {
  name = 'CreateModels1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS models`);
    await q.query(`
      CREATE TABLE models.models (
        id text PRIMARY KEY,
        -- upload order: the stable key of list paging
        seq bigserial NOT NULL UNIQUE,
        dtdl_version smallint NOT NULL,
        document jsonb NOT NULL,
        display_name jsonb,
        description jsonb NOT NULL DEFAULT '{}'::jsonb,
        upload_time timestamptz NOT NULL DEFAULT clock_timestamp(),
        decommissioned boolean NOT NULL DEFAULT false,
        -- what instance validation needs (inherited contents, schemas), so writes never parse DTDL
        flattened jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE models.model_references (
        model_id text NOT NULL REFERENCES models.models(id) ON DELETE CASCADE,
        referenced_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('extends', 'component', 'relationshipTarget')),
        PRIMARY KEY (model_id, referenced_id, kind)
      )`);
    await q.query(`CREATE INDEX model_references_referenced ON models.model_references (referenced_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE models.model_references`);
    await q.query(`DROP TABLE models.models`);
  }
}
