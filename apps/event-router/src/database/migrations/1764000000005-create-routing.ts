import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Endpoints (where events go) and event routes (which events go there), owned by the event router. */
export class CreateRouting1764000000005 implements MigrationInterface {
  name = 'CreateRouting1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS routing`);
    await q.query(`
      CREATE TABLE routing.endpoints (
        name text PRIMARY KEY,
        endpoint_type text NOT NULL CHECK (endpoint_type IN ('nats', 'webhook', 'mqtt', 'amqp')),
        -- the endpoint's settings as the API shows them (no secret)
        settings jsonb NOT NULL,
        -- write-only: never returned by the API
        secret text,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE TABLE routing.routes (
        id text PRIMARY KEY,
        endpoint_name text NOT NULL REFERENCES routing.endpoints(name) ON DELETE RESTRICT,
        filter text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX routes_by_endpoint ON routing.routes (endpoint_name)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE routing.routes`);
    await q.query(`DROP TABLE routing.endpoints`);
  }
}
