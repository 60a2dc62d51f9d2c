import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `history.twins_of_models_at(T, models, exact)`: the twins of moment T that have one of some
 * models (exact ids, or with IS_OF_MODEL's descendants), rebuilt from the checkpoint and the
 * window's events of those twins only. An `asOf` query whose WHERE clause names the model reads it
 * instead of `twins_at(T)`, which rebuilds every twin (docs/history.md, "Queries as of a moment").
 *
 * The candidates are the twins whose checkpoint row or whose events in the window carry one of the
 * models: a superset of those whose model at T is one of them (the last event decides the model,
 * and it is in the window, or else the checkpoint's is). The query's own condition on the model
 * keeps exactly the right ones.
 */
export class TwinsOfModelsAt1764000000009 implements MigrationInterface {
  name = 'TwinsOfModelsAt1764000000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION history.twins_of_models_at(at timestamptz, dtmis text[], exact boolean)
    RETURNS TABLE (id text, model_id text, model_ancestry text[], etag uuid, document jsonb)
    LANGUAGE sql STABLE AS $fn$
      SELECT s.twin_id, m.dtmi, m.ancestry, s.etag, s.document
      FROM history.twin_states_of(at, ARRAY(
        WITH wanted AS (
          SELECT id FROM history.models WHERE CASE WHEN exact THEN dtmi = ANY(dtmis) ELSE ancestry && dtmis END
        )
        SELECT c.twin_id FROM history.twin_checkpoints c
        WHERE c.day = history.checkpoint_before(at) AND c.model IN (SELECT id FROM wanted)
        UNION
        SELECT e.twin_id FROM history.twin_events e
        WHERE e.ts >= history.checkpoint_before(at) AND e.ts <= at AND e.model IN (SELECT id FROM wanted)
      )) s JOIN history.models m ON m.id = s.model
    $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION history.twins_of_models_at(timestamptz, text[], boolean)');
  }
}
