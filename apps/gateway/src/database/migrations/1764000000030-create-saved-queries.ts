import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Saved queries of the Explorer, per user (the token's subject; `anonymous` with authentication off). */
export class CreateSavedQueries1764000000030 implements MigrationInterface {
  name = 'CreateSavedQueries1764000000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE SCHEMA IF NOT EXISTS explorer');
    await q.query(`CREATE TABLE explorer.saved_queries (
      owner text NOT NULL,
      name text NOT NULL,
      query text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (owner, name)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP SCHEMA explorer CASCADE');
  }
}
