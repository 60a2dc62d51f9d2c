import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `history.compacted_partitions`: the closed day partitions whose indexes maintenance has rebuilt
 * (see `compactClosedDays`), so each is rebuilt once.
 */
export class CompactedPartitions1764000014010 implements MigrationInterface {
  name = 'CompactedPartitions1764000014010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE history.compacted_partitions (
      name text PRIMARY KEY,
      compacted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      bytes_before bigint NOT NULL,
      bytes_after bigint NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE history.compacted_partitions');
  }
}
