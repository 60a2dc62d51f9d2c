import type { MigrationInterface, QueryRunner } from 'typeorm';
import { twinStatesFunction } from './1764000000008-create-history';

/**
 * `history.twin_states_from_day(checkpoint_day, at, ids)`: `twin_states_of(at, ids)` from a
 * checkpoint day the caller names (any checkpoint at or before "at" gives the same twins; the
 * newest reads the fewest events). For point reads: with the day a parameter instead of a subquery,
 * a prepared statement's generic plan prunes the partitions when it starts (one checkpoint
 * partition, the window's event partitions) instead of setting up every day's scans and skipping
 * them while it runs: 0.7–1.4 ms a read instead of 1.2–1.9 ms with 30 days kept
 * (docs/benchmarks.md, history).
 */
export class TwinStatesFromDay1764000014001 implements MigrationInterface {
  name = 'TwinStatesFromDay1764000014001';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of twinStatesFunction('twin_states_from_day', 'checkpoint_day timestamptz, at timestamptz, ids text[]', 'twin_id = ANY(ids)', 'checkpoint_day')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION history.twin_states_from_day(timestamptz, timestamptz, text[])');
  }
}
