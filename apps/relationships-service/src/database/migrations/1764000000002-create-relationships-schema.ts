import { outboxTableSql } from '@odt/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The service's schema and its outbox. */
export class CreateRelationshipsSchema1764000000002 implements MigrationInterface {
  name = 'CreateRelationshipsSchema1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS relationships`);
    for (const sql of outboxTableSql('relationships')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE relationships.outbox`);
  }
}
