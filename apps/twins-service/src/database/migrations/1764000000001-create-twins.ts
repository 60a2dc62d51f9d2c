import { outboxTableSql } from '@odt/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTwins1764000000001 implements MigrationInterface {
  name = 'CreateTwins1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS twins`);
    await q.query(`
      CREATE TABLE twins.twins (
        id text PRIMARY KEY,
        model_id text NOT NULL,
        etag uuid NOT NULL,
        -- the twin as ADT shows it, less $dtId and $etag: properties, components, $metadata
        document jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX twins_model ON twins.twins (model_id)`);
    for (const sql of outboxTableSql('twins')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE twins.outbox`);
    await q.query(`DROP TABLE twins.twins`);
  }
}
