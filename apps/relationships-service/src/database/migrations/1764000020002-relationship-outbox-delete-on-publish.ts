import { outboxDeleteOnPublishSql } from '@odt/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The relay deletes what it has published (docs/events.md); the outbox drops what only marked rows needed. */
export class RelationshipOutboxDeleteOnPublish1764000020002 implements MigrationInterface {
  name = 'RelationshipOutboxDeleteOnPublish1764000020002';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of outboxDeleteOnPublishSql('relationships')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE relationships.outbox ADD CONSTRAINT outbox_event_id_key UNIQUE (event_id)`);
  }
}
