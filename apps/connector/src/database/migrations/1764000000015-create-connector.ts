import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Connections (where twin updates come from, and their mappings) and their dead letters. */
export class CreateConnector1764000000015 implements MigrationInterface {
  name = 'CreateConnector1764000000015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS connector`);
    await q.query(`
      CREATE TABLE connector.connections (
        name text PRIMARY KEY,
        source_type text NOT NULL CHECK (source_type IN ('mqtt', 'amqp', 'nats', 'http')),
        -- the source as the API shows it (no secret)
        source jsonb NOT NULL,
        -- write-only: never returned by the API
        secret text,
        mapping text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        -- bumped by every PUT: a runner of an older version restarts
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE TABLE connector.dead_letters (
        id bigserial PRIMARY KEY,
        connection text NOT NULL REFERENCES connector.connections(name) ON DELETE CASCADE,
        stage text NOT NULL,
        code text NOT NULL,
        reason text NOT NULL,
        position integer,
        envelope jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 1,
        first_seen timestamptz NOT NULL DEFAULT clock_timestamp(),
        last_seen timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX dead_letters_by_connection ON connector.dead_letters (connection, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE connector.dead_letters`);
    await q.query(`DROP TABLE connector.connections`);
  }
}
