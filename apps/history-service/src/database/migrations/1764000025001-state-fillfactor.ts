import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `history.twin_state` and `history.relationship_state` are rewritten at every change of their
 * entity, and no indexed column changes. With room left on each page the new version goes beside
 * the old one (a heap-only update: no index entry, and the old version is pruned in place);
 * with full pages every change wrote a new index entry too. Pages written from now on keep 30 %
 * free; existing ones get there as they are rewritten (or at once with VACUUM FULL).
 */
export class StateFillfactor1764000025001 implements MigrationInterface {
  name = 'StateFillfactor1764000025001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE history.twin_state SET (fillfactor = 70)');
    await q.query('ALTER TABLE history.relationship_state SET (fillfactor = 70)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE history.twin_state RESET (fillfactor)');
    await q.query('ALTER TABLE history.relationship_state RESET (fillfactor)');
  }
}
