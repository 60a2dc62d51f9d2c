import type { PoolClient } from 'pg';

/** Tables partitioned by day (events on their time, checkpoints on their day): created and dropped together. */
export const DAY_PARTITIONED = ['twin_events', 'relationship_events', 'telemetry', 'twin_checkpoints', 'relationship_checkpoints'] as const;

const DAY_MS = 86_400_000;

/** Midnight UTC of the day of `ms`. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function dayName(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10).replace(/-/g, '');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Creates the day partitions of every history table for the given days (midnight UTC, ms) that do
 * not exist yet. DDL of concurrent callers (maintenance, an ingest meeting a day ahead of them) is
 * serialised by a transaction-level advisory lock: run it inside a transaction.
 */
export async function ensurePartitions(db: PoolClient, days: number[]): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('history-partitions'))`);
  for (const day of [...new Set(days)].sort()) {
    for (const table of DAY_PARTITIONED) {
      await db.query(
        `CREATE TABLE IF NOT EXISTS history.${table}_p${dayName(day)} PARTITION OF history.${table} FOR VALUES FROM ('${iso(day)}') TO ('${iso(day + DAY_MS)}')`,
      );
    }
  }
}

/** Drops the day partitions older than `cutoffDay` (retention); returns the days dropped. */
export async function dropPartitionsBefore(db: PoolClient, cutoffDay: number): Promise<string[]> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('history-partitions'))`);
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = 'history' AND p.relname = ANY($1)`,
    [DAY_PARTITIONED],
  );
  const cutoff = dayName(cutoffDay);
  const dropped = new Set<string>();
  for (const { name } of rows) {
    const day = /_p(\d{8})$/.exec(name)?.[1];
    if (day && day < cutoff) {
      await db.query(`DROP TABLE history.${name}`);
      dropped.add(day);
    }
  }
  return [...dropped].sort();
}

export { DAY_MS };
