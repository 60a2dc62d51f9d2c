/**
 * A twin's rows for a point read: its checkpoint of day $1 (`time` null) and its events from $1 to
 * $2, for `foldTwinAsOf`. $3: the twin. With the day a parameter, a prepared statement's generic
 * plan keeps one checkpoint partition and the window's event partitions when it starts.
 */
export const TWIN_ROWS_SQL = `
SELECT NULL::text AS time, NULL::"char" AS kind, c.etag, c.model, c.document AS changes, NULL::text[] AS removed, NULL::jsonb AS source_times
FROM history.twin_checkpoints c WHERE c.twin_id = $3 AND c.day = $1
UNION ALL
SELECT history.adt_time(e.ts), e.kind, e.etag, e.model, e.changes, e.removed, e.source_times
FROM history.twin_events e WHERE e.twin_id = $3 AND e.ts >= $1 AND e.ts <= $2`;

export interface TwinRow {
  time: string | null;
  kind: string;
  etag: string;
  model: number;
  changes: Record<string, unknown> | null;
  removed: string[] | null;
  source_times: Record<string, unknown> | null;
}
