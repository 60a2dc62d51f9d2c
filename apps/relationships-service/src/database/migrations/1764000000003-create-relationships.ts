import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Relationships, with foreign keys into the twins service's table: the database itself guarantees
 * that no relationship points from or to a twin that does not exist, however twin deletes and
 * relationship creates race (ON DELETE RESTRICT also makes a twin with relationships undeletable).
 */
export class CreateRelationships1764000000003 implements MigrationInterface {
  name = 'CreateRelationships1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE relationships.relationships (
        source_id text NOT NULL,
        relationship_id text NOT NULL,
        name text NOT NULL,
        target_id text NOT NULL,
        etag uuid NOT NULL,
        properties jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (source_id, relationship_id),
        CONSTRAINT relationships_source_fk FOREIGN KEY (source_id) REFERENCES twins.twins(id) ON DELETE RESTRICT,
        CONSTRAINT relationships_target_fk FOREIGN KEY (target_id) REFERENCES twins.twins(id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX relationships_by_source_name ON relationships.relationships (source_id, name, relationship_id)`);
    await q.query(`CREATE INDEX relationships_by_target ON relationships.relationships (target_id, source_id, relationship_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE relationships.relationships`);
  }
}
