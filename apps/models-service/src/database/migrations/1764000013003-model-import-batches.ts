import { importLedgerTableSql } from '@odt/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The import ledger: which batches of which import job this service wrote (docs/jobs.md). */
export class ModelImportBatches1764000013003 implements MigrationInterface {
  name = 'ModelImportBatches1764000013003';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of importLedgerTableSql('models')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE models.import_batches`);
  }
}
