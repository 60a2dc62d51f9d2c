import { importLedgerTableSql } from '@odt/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The import ledger: which batches of which import job this service wrote (docs/jobs.md). */
export class RelationshipImportBatches1764000013002 implements MigrationInterface {
  name = 'RelationshipImportBatches1764000013002';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of importLedgerTableSql('relationships')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE relationships.import_batches`);
  }
}
