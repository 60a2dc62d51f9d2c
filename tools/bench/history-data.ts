import type { Client } from 'pg';
import { compactClosedDays } from '../../apps/history-service/src/maintenance/compaction';

const DAY_MS = 86_400_000;

export interface HistoryDataShape {
  twins: number;
  models: number;
  /** One-property changes spread over `days` days ending now (less a minute). */
  changes: number;
  days: number;
}

/**
 * Generates history straight into the history schema, as the history service would have written
 * it: each twin created at the start (5 numeric properties), then `changes` one-property updates
 * of random twins at random times, the twins' states, and each day's checkpoint (through the
 * service's own SQL, `history.twin_states_at`), and the closed days' indexes rebuilt as the
 * service's maintenance rebuilds them (`compactClosedDays`), then vacuumed, as a history kept
 * for a while has been. Returns the generation window.
 */
export async function generateHistory(db: Client, shape: HistoryDataShape, log: (msg: string) => void): Promise<{ start: number; end: number }> {
  const end = Date.now() - 60_000;
  const firstDay = Math.floor((end - shape.days * DAY_MS) / DAY_MS) * DAY_MS;
  const start = firstDay + 1000;
  await db.query('SET synchronous_commit = off');
  for (let day = firstDay; day <= firstDay + (shape.days + 2) * DAY_MS; day += DAY_MS) {
    const name = new Date(day).toISOString().slice(0, 10).replace(/-/g, '');
    for (const table of ['twin_events', 'relationship_events', 'telemetry', 'twin_checkpoints', 'relationship_checkpoints']) {
      await db.query(`CREATE TABLE IF NOT EXISTS history.${table}_p${name} PARTITION OF history.${table} FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY_MS).toISOString()}')`);
    }
  }
  await db.query(`INSERT INTO history.models (dtmi, ancestry) SELECT 'dtmi:bench:M' || m || ';1', ARRAY['dtmi:bench:M' || m || ';1', 'dtmi:bench:Base;1'] FROM generate_series(0, $1 - 1) m ON CONFLICT DO NOTHING`, [shape.models]);
  const t0 = Date.now();
  await db.query(
    `INSERT INTO history.twin_events (ts, etag, event_id, model, caller, kind, twin_id, changes)
     SELECT $1::timestamptz + make_interval(secs => i / 1000.0), gen_random_uuid(), gen_random_uuid(),
       (SELECT id FROM history.models WHERE dtmi = 'dtmi:bench:M' || (i % $3) || ';1'), NULL, 'c', 'twin-' || i,
       jsonb_build_object('p0', 0, 'p1', 0, 'p2', 0, 'p3', 0, 'p4', 0, 'label', 'twin ' || i,
         '$metadata', jsonb_build_object('$model', 'dtmi:bench:M' || (i % $3) || ';1', '$lastUpdateTime', history.adt_time($1::timestamptz),
           'p0', '{}'::jsonb, 'p1', '{}'::jsonb, 'p2', '{}'::jsonb, 'p3', '{}'::jsonb, 'p4', '{}'::jsonb, 'label', '{}'::jsonb))
     FROM generate_series(0, $2 - 1) i`,
    [new Date(start).toISOString(), shape.twins, shape.models],
  );
  log(`created ${shape.twins} twins in ${Date.now() - t0} ms`);
  const span = (end - start - shape.twins) / 1000;
  const chunk = 1_000_000;
  for (let done = 0; done < shape.changes; done += chunk) {
    const n = Math.min(chunk, shape.changes - done);
    const t = Date.now();
    await db.query(
      `INSERT INTO history.twin_events (ts, etag, event_id, model, caller, kind, twin_id, changes)
       SELECT $1::timestamptz + make_interval(secs => $4 + random() * $5), gen_random_uuid(), gen_random_uuid(),
         (SELECT id FROM history.models WHERE dtmi = 'dtmi:bench:M' || (t % $3) || ';1'), NULL, 'u', 'twin-' || t,
         jsonb_build_object('p' || (g % 5), round((random() * 100)::numeric, 2))
       FROM (SELECT g, (random() * ($2 - 1))::int AS t FROM generate_series(1, $6) g) x`,
      [new Date(start).toISOString(), shape.twins, shape.models, shape.twins / 1000 + 1, span, n],
    );
    log(`${done + n} changes (${Date.now() - t} ms)`);
  }
  await db.query('ANALYZE history.twin_events');
  await db.query(`INSERT INTO history.checkpoint_days (day, twins, relationships) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING`, [new Date(firstDay).toISOString()]);
  for (let day = firstDay + DAY_MS; day <= end; day += DAY_MS) {
    const t = Date.now();
    const d = new Date(day).toISOString();
    const r = await db.query(
      `INSERT INTO history.twin_checkpoints (day, etag, model, twin_id, document)
       SELECT $1, s.etag, s.model, s.twin_id, s.document FROM history.twin_states_at($1::timestamptz - interval '1 microsecond') s`, [d]);
    await db.query('INSERT INTO history.checkpoint_days (day, twins, relationships) VALUES ($1, $2, 0)', [d, r.rowCount]);
    log(`checkpoint ${d.slice(0, 10)}: ${r.rowCount} twins (${Date.now() - t} ms)`);
  }
  const t = Date.now();
  const compacted = (await compactClosedDays(db, Math.floor(end / DAY_MS) * DAY_MS)) ?? [];
  const [before, after] = compacted.reduce(([b, a], p) => [b + p.bytesBefore, a + p.bytesAfter], [0, 0]);
  log(`compacted ${compacted.length} closed partitions: indexes ${Math.round(before / 1e6)} → ${Math.round(after / 1e6)} MB (${Date.now() - t} ms)`);
  await db.query(
    `INSERT INTO history.twin_state (twin_id, ts, event_id, etag, model, document)
     SELECT s.twin_id, coalesce(s.ts, now()), gen_random_uuid(), s.etag, s.model, s.document FROM history.twin_states_at(now()) s
     ON CONFLICT (twin_id) DO NOTHING`);
  // A history kept for a month has long been vacuumed; a freshly generated one has not, and
  // autovacuum would work through its gigabytes during the reads that follow (two cores: it takes
  // one of them for minutes). Done here, once, before anything is measured.
  const v = Date.now();
  await db.query('VACUUM (ANALYZE) history.twin_events, history.twin_checkpoints, history.twin_state');
  await db.query('ANALYZE');
  await db.query('CHECKPOINT');
  log(`vacuumed and checkpointed (${Date.now() - v} ms)`);
  return { start, end };
}
