import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The history schema: one row per twin or relationship event (day partitions on the event time),
 * the latest state history knows of each (to turn a patch into new values), daily checkpoints,
 * and the functions that rebuild the graph as of a moment. See docs/history.md.
 */
export class CreateHistory1764000000008 implements MigrationInterface {
  name = 'CreateHistory1764000000008';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of HISTORY_DDL) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP SCHEMA history CASCADE');
  }
}

const HISTORY_DDL = [
  `CREATE SCHEMA IF NOT EXISTS history`,
  // Interned model ids (with the ancestry IS_OF_MODEL reads) and callers: 4 bytes per event instead of the text.
  `CREATE TABLE history.models (id serial PRIMARY KEY, dtmi text NOT NULL UNIQUE, ancestry text[] NOT NULL)`,
  `CREATE TABLE history.callers (id serial PRIMARY KEY, authtype text NOT NULL, authid text NOT NULL, UNIQUE (authtype, authid))`,
  // kind: c(reate), u(pdate), d(elete). changes: a create's whole document; an update's new value per
  // top-level key (property, or component with its $metadata). removed: keys an update removed.
  // source_times: sourceTime of the updated properties that have one.
  `CREATE TABLE history.twin_events (
    ts timestamptz NOT NULL,
    etag uuid NOT NULL,
    event_id uuid NOT NULL,
    model integer NOT NULL,
    caller integer,
    kind "char" NOT NULL,
    twin_id text NOT NULL,
    changes jsonb,
    removed text[],
    source_times jsonb
  ) PARTITION BY RANGE (ts)`,
  // Idempotency by event id, and the index every read of a twin's past walks.
  `CREATE UNIQUE INDEX twin_events_key ON history.twin_events (twin_id, ts, event_id)`,
  `CREATE TABLE history.relationship_events (
    ts timestamptz NOT NULL,
    etag uuid NOT NULL,
    event_id uuid NOT NULL,
    caller integer,
    kind "char" NOT NULL,
    source_id text NOT NULL,
    relationship_id text NOT NULL,
    name text NOT NULL,
    target_id text NOT NULL,
    changes jsonb,
    removed text[]
  ) PARTITION BY RANGE (ts)`,
  `CREATE UNIQUE INDEX relationship_events_key ON history.relationship_events (source_id, relationship_id, ts, event_id)`,
  `CREATE INDEX relationship_events_target ON history.relationship_events (target_id, ts)`,
  // Opt-in (HISTORY_TELEMETRY=true).
  `CREATE TABLE history.telemetry (
    ts timestamptz NOT NULL,
    twin_id text NOT NULL,
    component text,
    message_id text NOT NULL,
    data jsonb NOT NULL
  ) PARTITION BY RANGE (ts)`,
  `CREATE UNIQUE INDEX telemetry_key ON history.telemetry (twin_id, ts, message_id)`,
  // The latest state history has applied, per twin and relationship (document/properties NULL: deleted).
  `CREATE TABLE history.twin_state (
    twin_id text PRIMARY KEY,
    ts timestamptz NOT NULL,
    event_id uuid NOT NULL,
    etag uuid NOT NULL,
    model integer NOT NULL,
    document jsonb
  )`,
  `CREATE TABLE history.relationship_state (
    source_id text NOT NULL,
    relationship_id text NOT NULL,
    ts timestamptz NOT NULL,
    event_id uuid NOT NULL,
    etag uuid NOT NULL,
    name text NOT NULL,
    target_id text NOT NULL,
    properties jsonb,
    PRIMARY KEY (source_id, relationship_id)
  )`,
  // A twin whose history was purged: its events up to "until" are not recorded again (redelivery).
  `CREATE TABLE history.purges (twin_id text PRIMARY KEY, until timestamptz NOT NULL)`,
  // Checkpoint of day D: every twin and relationship as of D (all events before D applied). The
  // oldest day is where history begins: asOf earlier than it is refused (HistoryNotAvailable).
  `CREATE TABLE history.checkpoint_days (day timestamptz PRIMARY KEY, twins bigint NOT NULL, relationships bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE history.twin_checkpoints (
    day timestamptz NOT NULL,
    etag uuid NOT NULL,
    model integer NOT NULL,
    twin_id text NOT NULL,
    document jsonb NOT NULL
  ) PARTITION BY RANGE (day)`,
  `CREATE UNIQUE INDEX twin_checkpoints_key ON history.twin_checkpoints (twin_id, day)`,
  `CREATE TABLE history.relationship_checkpoints (
    day timestamptz NOT NULL,
    etag uuid NOT NULL,
    source_id text NOT NULL,
    relationship_id text NOT NULL,
    name text NOT NULL,
    target_id text NOT NULL,
    properties jsonb NOT NULL
  ) PARTITION BY RANGE (day)`,
  `CREATE UNIQUE INDEX relationship_checkpoints_key ON history.relationship_checkpoints (source_id, relationship_id, day)`,
  `CREATE INDEX relationship_checkpoints_target ON history.relationship_checkpoints (target_id, day)`,
  // ADT prints metadata times with 7 fractional digits.
  `CREATE FUNCTION history.adt_time(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '0Z' $$`,
  `CREATE FUNCTION history.checkpoint_before(at timestamptz) RETURNS timestamptz LANGUAGE sql STABLE AS
    $$ SELECT max(day) FROM history.checkpoint_days WHERE day <= at $$`,
  ...twinStatesFunction('twin_states_at', 'at timestamptz', 'TRUE'),
  ...twinStatesFunction('twin_states_of', 'at timestamptz, ids text[]', 'twin_id = ANY(ids)'),
  // The twins as the query language reads them (the columns of twins.twins).
  `CREATE FUNCTION history.twins_at(at timestamptz)
  RETURNS TABLE (id text, model_id text, model_ancestry text[], etag uuid, document jsonb)
  LANGUAGE sql STABLE AS $fn$
    SELECT s.twin_id, m.dtmi, m.ancestry, s.etag, s.document
    FROM history.twin_states_at(at) s JOIN history.models m ON m.id = s.model
  $fn$`,
  ...relationshipsFunction('relationships_at', 'at timestamptz', 'TRUE'),
  ...relationshipsFunction('relationships_from', 'at timestamptz, sources text[]', 'source_id = ANY(sources)'),
  // Those reaching some twins then: the relationships that reached them at the checkpoint or since, rebuilt, then filtered.
  ...relationshipsFunction('relationships_to', 'at timestamptz, targets text[]', `(source_id, relationship_id) IN (
      SELECT c.source_id, c.relationship_id FROM history.relationship_checkpoints c WHERE c.day = history.checkpoint_before(at) AND c.target_id = ANY(targets)
      UNION SELECT e.source_id, e.relationship_id FROM history.relationship_events e
      WHERE e.target_id = ANY(targets) AND e.ts >= history.checkpoint_before(at) AND e.ts <= at)`, 'target_id = ANY(targets)'),
];

/**
 * Twins as of "at" (all events with ts <= at): the newest checkpoint at or before it, then the
 * events since, keeping per twin its last event (existence, model, ETag), the document of its
 * last create, and per top-level key the last value set (or its removal). One body, two
 * functions: every twin (the query language, checkpoints) and some twins (point reads), whose
 * filter Postgres can use in a generic plan. `day`: the checkpoint's day (by default the newest at
 * or before "at"; an argument of `twin_states_from_day`, migration 1764000014001, dropped by 1764000014011).
 */
export function twinStatesFunction(name: string, args: string, filter: string, day = '(SELECT day FROM cp_day)'): string[] {
  const f = (alias: string) => filter.replace(/\btwin_id\b/g, `${alias}.twin_id`);
  return [`CREATE FUNCTION history.${name}(${args})
  RETURNS TABLE (twin_id text, model integer, etag uuid, document jsonb, ts timestamptz)
  LANGUAGE sql STABLE AS $fn$
    WITH cp_day AS (SELECT history.checkpoint_before(at) AS day),
    cp AS (
      SELECT c.twin_id, c.model, c.etag, c.document FROM history.twin_checkpoints c
      WHERE c.day = ${day} AND ${f('c')}
    ),
    win AS (
      SELECT e.* FROM history.twin_events e
      WHERE e.ts >= ${day} AND e.ts <= at AND ${f('e')}
    ),
    last_event AS (
      SELECT DISTINCT ON (w.twin_id) w.twin_id, w.ts, w.kind, w.etag, w.model FROM win w ORDER BY w.twin_id, w.ts DESC
    ),
    created AS (
      SELECT DISTINCT ON (w.twin_id) w.twin_id, w.ts, w.changes AS document FROM win w WHERE w.kind = 'c' ORDER BY w.twin_id, w.ts DESC
    ),
    latest AS (
      SELECT DISTINCT ON (w.twin_id, k.key) w.twin_id, k.key, k.value, k.removed, w.ts, w.source_times -> k.key AS source_time
      FROM win w
      LEFT JOIN created b ON b.twin_id = w.twin_id
      CROSS JOIN LATERAL (
        SELECT j.key, j.value, false AS removed FROM jsonb_each(w.changes) j
        UNION ALL SELECT r, NULL::jsonb, true FROM unnest(w.removed) r
      ) k
      WHERE w.kind = 'u' AND (b.ts IS NULL OR w.ts > b.ts)
      ORDER BY w.twin_id, k.key, w.ts DESC
    ),
    merged AS (
      SELECT l.twin_id,
        jsonb_object_agg(l.key, l.value) FILTER (WHERE NOT l.removed) AS sets,
        jsonb_object_agg(l.key, jsonb_strip_nulls(jsonb_build_object('lastUpdateTime', history.adt_time(l.ts), 'sourceTime', l.source_time)))
          FILTER (WHERE NOT l.removed AND NOT (jsonb_typeof(l.value) = 'object' AND l.value ? '$metadata')) AS metas,
        array_agg(l.key) FILTER (WHERE l.removed) AS removed
      FROM latest l GROUP BY l.twin_id
    )
    SELECT cp.twin_id, cp.model, cp.etag, cp.document, NULL::timestamptz
    FROM cp WHERE NOT EXISTS (SELECT 1 FROM last_event l WHERE l.twin_id = cp.twin_id)
    UNION ALL
    SELECT l.twin_id, l.model, l.etag,
      jsonb_set(
        (coalesce(b.document, cp.document) - coalesce(k.removed, '{}'::text[])) || coalesce(k.sets, '{}'::jsonb),
        '{$metadata}',
        ((coalesce(b.document, cp.document) -> '$metadata') - coalesce(k.removed, '{}'::text[])) || coalesce(k.metas, '{}'::jsonb)
          || jsonb_build_object('$model', (SELECT m.dtmi FROM history.models m WHERE m.id = l.model), '$lastUpdateTime', history.adt_time(l.ts))
      ),
      l.ts
    FROM last_event l
    LEFT JOIN created b ON b.twin_id = l.twin_id
    LEFT JOIN cp ON cp.twin_id = l.twin_id
    LEFT JOIN merged k ON k.twin_id = l.twin_id
    WHERE l.kind <> 'd' AND coalesce(b.document, cp.document) IS NOT NULL
  $fn$`];
}

/** Relationships as of "at", like twins; `outputFilter` applies to the rebuilt relationships. */
function relationshipsFunction(name: string, args: string, filter: string, outputFilter = 'TRUE'): string[] {
  const f = (alias: string) => filter.replace(/^\(source_id, relationship_id\)|^source_id/, (m) => m.replace(/source_id/, `${alias}.source_id`).replace(/relationship_id/, `${alias}.relationship_id`));
  return [`CREATE FUNCTION history.${name}(${args})
  RETURNS TABLE (source_id text, relationship_id text, name text, target_id text, etag uuid, properties jsonb)
  LANGUAGE sql STABLE AS $fn$
    WITH cp_day AS (SELECT history.checkpoint_before(at) AS day),
    cp AS (
      SELECT c.* FROM history.relationship_checkpoints c WHERE c.day = (SELECT day FROM cp_day) AND ${f('c')}
    ),
    win AS (
      SELECT e.* FROM history.relationship_events e WHERE e.ts >= (SELECT day FROM cp_day) AND e.ts <= at AND ${f('e')}
    ),
    last_event AS (
      SELECT DISTINCT ON (w.source_id, w.relationship_id) w.source_id, w.relationship_id, w.ts, w.kind, w.etag, w.name, w.target_id
      FROM win w ORDER BY w.source_id, w.relationship_id, w.ts DESC
    ),
    created AS (
      SELECT DISTINCT ON (w.source_id, w.relationship_id) w.source_id, w.relationship_id, w.ts, w.changes AS properties
      FROM win w WHERE w.kind = 'c' ORDER BY w.source_id, w.relationship_id, w.ts DESC
    ),
    latest AS (
      SELECT DISTINCT ON (w.source_id, w.relationship_id, k.key) w.source_id, w.relationship_id, k.key, k.value, k.removed
      FROM win w
      LEFT JOIN created b ON b.source_id = w.source_id AND b.relationship_id = w.relationship_id
      CROSS JOIN LATERAL (
        SELECT j.key, j.value, false AS removed FROM jsonb_each(w.changes) j
        UNION ALL SELECT r, NULL::jsonb, true FROM unnest(w.removed) r
      ) k
      WHERE w.kind = 'u' AND (b.ts IS NULL OR w.ts > b.ts)
      ORDER BY w.source_id, w.relationship_id, k.key, w.ts DESC
    ),
    merged AS (
      SELECT l.source_id, l.relationship_id,
        jsonb_object_agg(l.key, l.value) FILTER (WHERE NOT l.removed) AS sets,
        array_agg(l.key) FILTER (WHERE l.removed) AS removed
      FROM latest l GROUP BY l.source_id, l.relationship_id
    ),
    rebuilt AS (
      SELECT cp.source_id, cp.relationship_id, cp.name, cp.target_id, cp.etag, cp.properties
      FROM cp WHERE NOT EXISTS (SELECT 1 FROM last_event l WHERE l.source_id = cp.source_id AND l.relationship_id = cp.relationship_id)
      UNION ALL
      SELECT l.source_id, l.relationship_id, l.name, l.target_id, l.etag,
        (coalesce(b.properties, cp.properties) - coalesce(k.removed, '{}'::text[])) || coalesce(k.sets, '{}'::jsonb)
      FROM last_event l
      LEFT JOIN created b ON b.source_id = l.source_id AND b.relationship_id = l.relationship_id
      LEFT JOIN cp ON cp.source_id = l.source_id AND cp.relationship_id = l.relationship_id
      LEFT JOIN merged k ON k.source_id = l.source_id AND k.relationship_id = l.relationship_id
      WHERE l.kind <> 'd' AND coalesce(b.properties, cp.properties) IS NOT NULL
    )
    SELECT r.* FROM rebuilt r WHERE ${outputFilter.replace(/target_id/, 'r.target_id')}
  $fn$`];
}
