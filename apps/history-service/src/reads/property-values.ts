import { DomainError, type HistoryAggregate, type PropertyValue } from '@odt/contracts';

const TIME = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** `temperature`, or a component's property `thermostat/setPoint` (a leading `/` allowed). */
export interface PropertyPath {
  text: string;
  key: string;
  member?: string;
}

export function propertyPath(text: string): PropertyPath {
  const segments = text.replace(/^\//, '').split('/');
  if (segments.length > 2 || segments.some((s) => s === '' || s.startsWith('$'))) {
    throw new DomainError('InvalidArgument', 'property must name a property (temperature) or a component\'s property (thermostat/setPoint).');
  }
  return { text: segments.join('/'), key: segments[0], member: segments[1] };
}

/**
 * A component is stored whole with its `$metadata`; one of its properties changed in an event
 * when the event set that property's `lastUpdateTime` (history writes the event's time there).
 */
const MEMBER_CHANGED = `($5::text IS NULL OR (k.value ? $5 AND (e.kind = 'c' OR k.value #>> ARRAY['$metadata', $5::text, 'lastUpdateTime'] = history.adt_time(e.ts))))`;

/** $1 twin, $2 from, $3 to, $4 key, $5 component member, $6/$7 after (time, key); ORDER BY and LIMIT $8 follow. */
export const RAW_VALUES_SQL = `
SELECT ${TIME('e.ts')} AS time, e.kind, e.etag, m.dtmi AS model, c.authtype, c.authid, k.key, k.removed,
  CASE WHEN $5::text IS NULL THEN k.value ELSE k.value -> $5::text END AS value,
  CASE
    WHEN $5::text IS NOT NULL THEN k.value #>> ARRAY['$metadata', $5::text, 'sourceTime']
    WHEN e.kind = 'c' THEN e.changes #>> ARRAY['$metadata', k.key, 'sourceTime']
    ELSE e.source_times ->> k.key
  END AS source_time
FROM history.twin_events e
JOIN history.models m ON m.id = e.model
LEFT JOIN history.callers c ON c.id = e.caller
CROSS JOIN LATERAL (
  SELECT j.key, j.value, false AS removed FROM jsonb_each(CASE WHEN e.kind = 'c' THEN e.changes - '$metadata' ELSE e.changes END) j
  UNION ALL SELECT r, NULL::jsonb, true FROM unnest(e.removed) r
) k
WHERE e.twin_id = $1 AND e.kind <> 'd'
  AND ($2::timestamptz IS NULL OR e.ts >= $2::timestamptz) AND ($3::timestamptz IS NULL OR e.ts <= $3::timestamptz)
  AND ($4::text IS NULL OR k.key = $4::text)
  AND ${MEMBER_CHANGED}
  AND ($6::timestamptz IS NULL OR (e.ts, k.key) > ($6::timestamptz, $7::text))`;

export interface ValueRow {
  time: string;
  kind: string;
  etag: string;
  model: string;
  authtype: string | null;
  authid: string | null;
  key: string;
  removed: boolean;
  value: unknown;
  source_time: string | null;
}

export function toPropertyValue(r: ValueRow, path: PropertyPath | undefined): PropertyValue {
  return {
    key: path?.member ? path.text : r.key,
    ...(r.removed ? {} : { value: r.value }),
    action: r.removed ? 'delete' : 'update',
    time: r.time,
    ...(r.source_time ? { sourceTime: r.source_time } : {}),
    modelId: r.model,
    $etag: `W/"${r.etag}"`,
    ...(r.authtype && r.authid ? { caller: { authtype: r.authtype, authid: r.authid } } : {}),
  };
}

const AGGREGATES: Record<HistoryAggregate, string> = {
  avg: `to_jsonb(avg((b.value)::numeric) FILTER (WHERE jsonb_typeof(b.value) = 'number'))`,
  min: `to_jsonb(min((b.value)::numeric) FILTER (WHERE jsonb_typeof(b.value) = 'number'))`,
  max: `to_jsonb(max((b.value)::numeric) FILTER (WHERE jsonb_typeof(b.value) = 'number'))`,
  count: 'to_jsonb(count(*))',
  first: '(array_agg(b.value ORDER BY b.ts))[1]',
  last: '(array_agg(b.value ORDER BY b.ts DESC))[1]',
};

export interface BucketRow {
  bucket_from: string;
  bucket_to: string;
  n: string;
  value: unknown;
}

/**
 * $1 twin, $2 from, $3 to, $4 key, $5 member, $6 bucket seconds (none: one bucket over the
 * range), $7 after (a bucket start), $8 limit. avg/min/max read numbers only.
 */
export function aggregateSql(aggregate: HistoryAggregate): string {
  return `
WITH v AS (
  SELECT e.ts, CASE WHEN $5::text IS NULL THEN k.value ELSE k.value -> $5::text END AS value
  FROM history.twin_events e CROSS JOIN LATERAL (SELECT e.changes -> $4::text AS value) k
  WHERE e.twin_id = $1 AND e.kind <> 'd' AND e.changes ? $4::text
    AND ($2::timestamptz IS NULL OR e.ts >= $2::timestamptz) AND ($3::timestamptz IS NULL OR e.ts <= $3::timestamptz)
    AND ${MEMBER_CHANGED}
),
b AS (
  SELECT CASE WHEN $6::float8 IS NULL THEN coalesce($2::timestamptz, (SELECT min(ts) FROM v))
    ELSE date_bin(make_interval(secs => $6::float8), v.ts, coalesce($2::timestamptz, 'epoch'::timestamptz)) END AS bucket_start, v.ts, v.value
  FROM v
)
SELECT ${TIME('b.bucket_start')} AS bucket_from,
  ${TIME(`CASE WHEN $6::float8 IS NULL THEN coalesce($3::timestamptz, max(b.ts)) ELSE b.bucket_start + make_interval(secs => $6::float8) END`)} AS bucket_to,
  count(*) AS n, ${AGGREGATES[aggregate]} AS value
FROM b WHERE $7::timestamptz IS NULL OR b.bucket_start > $7::timestamptz
GROUP BY b.bucket_start ORDER BY b.bucket_start LIMIT $8`;
}
