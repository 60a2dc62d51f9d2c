import type { MigrationInterface, QueryRunner } from 'typeorm';
import { twinStatesFunction } from './1764000000008-create-history';

/**
 * `history.twin_states_from_day` (migration 1764000014001) is no longer called: a point read
 * fetches its twin's checkpoint row and events and folds them in the service (`foldTwinAsOf`).
 */
export class DropTwinStatesFromDay1764000014011 implements MigrationInterface {
  name = 'DropTwinStatesFromDay1764000014011';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION history.twin_states_from_day(timestamptz, timestamptz, text[])');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of twinStatesFunction('twin_states_from_day', 'checkpoint_day timestamptz, at timestamptz, ids text[]', 'twin_id = ANY(ids)', 'checkpoint_day')) await q.query(sql);
  }
}
