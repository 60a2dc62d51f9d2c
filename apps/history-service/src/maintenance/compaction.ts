import type { ClientBase } from 'pg';
import { dayName } from './partitions';

/**
 * Tables whose day partitions are rebuilt once the day is closed. Events arrive in time order but
 * for twins in any order, so all day long their `(twin_id, ts, …)` index takes inserts in the
 * middle of full pages, which split in two half-empty ones; rebuilt, the index packs its pages
 * (measured: 76 → 59 bytes of index per change, docs/benchmarks.md, history).
 */
export const COMPACTED_TABLES = ['twin_events', 'relationship_events', 'telemetry'] as const;

export interface CompactedPartition {
  name: string;
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * Rebuilds (`REINDEX … CONCURRENTLY`: reads and writes go on) the indexes of every day partition
 * of `COMPACTED_TABLES` older than `closedBefore` (midnight UTC, ms: a day is closed once history is
 * complete past its end, i.e. a later checkpoint exists), each once, as
 * `history.compacted_partitions` records. One replica at a time (a session advisory lock):
 * undefined when another holds it. `db` must not be in a transaction.
 */
export async function compactClosedDays(db: ClientBase, closedBefore: number): Promise<CompactedPartition[] | undefined> {
  const { rows: locked } = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('history-compaction')) AS ok`);
  if (!locked[0].ok) return undefined;
  try {
    // Partitions dropped by retention are forgotten.
    await db.query(`DELETE FROM history.compacted_partitions WHERE to_regclass('history.' || quote_ident(name)) IS NULL`);
    const { rows } = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
       WHERE n.nspname = 'history' AND p.relname = ANY($1)
         AND NOT EXISTS (SELECT 1 FROM history.compacted_partitions k WHERE k.name = c.relname)
       ORDER BY c.relname`,
      [COMPACTED_TABLES],
    );
    const closed = dayName(closedBefore);
    const compacted: CompactedPartition[] = [];
    for (const { name } of rows) {
      const day = /_p(\d{8})$/.exec(name)?.[1];
      if (!day || day >= closed) continue;
      // A rebuild cut short (a crash, a lost connection) leaves its new index behind, invalid.
      const { rows: leftovers } = await db.query<{ index: string }>(
        `SELECT ci.relname AS index FROM pg_index x JOIN pg_class ci ON ci.oid = x.indexrelid
         WHERE x.indrelid = to_regclass('history.' || quote_ident($1)) AND NOT x.indisvalid AND ci.relname LIKE '%\\_ccnew%'`,
        [name],
      );
      for (const { index } of leftovers) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS history."${index}"`);
      const size = async () =>
        Number((await db.query<{ n: string }>(`SELECT pg_indexes_size(to_regclass('history.' || quote_ident($1))) AS n`, [name])).rows[0].n);
      const bytesBefore = await size();
      await db.query(`REINDEX TABLE CONCURRENTLY history."${name}"`);
      const bytesAfter = await size();
      await db.query('INSERT INTO history.compacted_partitions (name, bytes_before, bytes_after) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        name,
        bytesBefore,
        bytesAfter,
      ]);
      compacted.push({ name, bytesBefore, bytesAfter });
    }
    return compacted;
  } finally {
    await db.query(`SELECT pg_advisory_unlock(hashtext('history-compaction'))`);
  }
}
