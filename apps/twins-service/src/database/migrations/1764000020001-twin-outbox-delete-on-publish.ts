import { outboxDeleteOnPublishSql } from '@odt/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The relay deletes what it has published (docs/events.md); the outbox drops what only marked rows needed. */
export class TwinOutboxDeleteOnPublish1764000020001 implements MigrationInterface {
  name = 'TwinOutboxDeleteOnPublish1764000020001';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of outboxDeleteOnPublishSql('twins')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE twins.outbox ADD CONSTRAINT outbox_event_id_key UNIQUE (event_id)`);
  }
}
