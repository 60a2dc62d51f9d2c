import { importLedgerTableSql } from '@odt/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The import ledger: which batches of which import job this service wrote (docs/jobs.md). */
export class TwinImportBatches1764000013001 implements MigrationInterface {
  name = 'TwinImportBatches1764000013001';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of importLedgerTableSql('twins')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE twins.import_batches`);
  }
}
