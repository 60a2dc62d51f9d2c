import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { instantMs } from '@odt/history-domain';
import { Metrics, ROOT_LOGGER } from '@odt/service-kit';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { HISTORY_CONFIG, type HistoryConfig } from '../config';
import { HistoryWatermark } from '../watermark/history-watermark';
import { compactClosedDays } from './compaction';
import { DAY_MS, dayStart, dropPartitionsBefore, ensurePartitions } from './partitions';

/**
 * Every `HISTORY_MAINTENANCE_MS`, on one replica at a time (a transaction-level advisory lock):
 * creates the day partitions ahead, writes each day's checkpoint once history is complete past
 * that day's start, drops the days older than `HISTORY_RETENTION_DAYS` (never the day of the
 * newest checkpoint: reads start from one), and rebuilds the indexes of the days before the newest
 * checkpoint, which no event joins any more, once each (`compactClosedDays`).
 */
@Injectable()
export class HistoryMaintenance implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly pool: Pool;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly dropped: Counter;
  private readonly compacted: Counter;
  /** The backend rebuilding indexes, cancelled at shutdown (its leftover is dropped next time). */
  private compactingPid?: number;

  constructor(
    @InjectDataSource() db: DataSource,
    @Inject(HISTORY_CONFIG) private readonly config: HistoryConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly watermark: HistoryWatermark,
    metrics: Metrics,
  ) {
    this.pool = (db.driver as PostgresDriver).master as Pool;
    this.dropped = metrics.counter('history_partitions_dropped_total', 'Days of history dropped by retention.');
    this.compacted = metrics.counter('history_partitions_compacted_total', 'Closed day partitions whose indexes were rebuilt.');
  }

  onApplicationBootstrap(): void {
    const tick = () => {
      this.runOnce().catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'history maintenance failed; next time'));
    };
    tick();
    this.timer = setInterval(tick, this.config.HISTORY_MAINTENANCE_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.compactingPid !== undefined) await this.pool.query('SELECT pg_cancel_backend($1)', [this.compactingPid]).catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /** One round (after the one under way, if any); false when another replica holds the maintenance lock. */
  runOnce(now = Date.now()): Promise<boolean> {
    const round = (this.running ?? Promise.resolve()).catch(() => undefined).then(() => this.round(now));
    this.running = round;
    return round;
  }

  private async round(now: number): Promise<boolean> {
    const today = dayStart(now);
    const cutoff = today - this.config.HISTORY_RETENTION_DAYS * DAY_MS;
    const locked = await this.locked(async (db) => {
      const days = [];
      for (let d = cutoff; d <= today + this.config.HISTORY_PARTITIONS_AHEAD * DAY_MS; d += DAY_MS) days.push(d);
      await ensurePartitions(db, days);
      return true;
    });
    if (!locked) return false;
    await this.checkpoints(cutoff);
    const newest = await this.locked(async (db) => {
      const { rows } = await db.query<{ day: Date | null }>('SELECT max(day) AS day FROM history.checkpoint_days');
      const newest = rows[0].day ? rows[0].day.getTime() : cutoff;
      const dropBefore = Math.min(cutoff, newest);
      const dropped = await dropPartitionsBefore(db, dropBefore);
      await db.query('DELETE FROM history.checkpoint_days WHERE day < $1', [new Date(dropBefore).toISOString()]);
      // Deleted twins are remembered (for redelivered events) only while the stream could still hold theirs.
      await db.query('DELETE FROM history.twin_state WHERE document IS NULL AND ts < $1', [new Date(dropBefore).toISOString()]);
      await db.query('DELETE FROM history.relationship_state WHERE properties IS NULL AND ts < $1', [new Date(dropBefore).toISOString()]);
      if (dropped.length > 0) {
        this.dropped.inc(dropped.length);
        this.logger.info({ days: dropped }, 'history retention dropped days');
      }
      return newest;
    });
    if (newest !== undefined) await this.compact(newest);
    return true;
  }

  /** The closed days' indexes, rebuilt outside any transaction (REINDEX CONCURRENTLY). */
  private async compact(closedBefore: number): Promise<void> {
    const db = await this.pool.connect();
    try {
      this.compactingPid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      for (const p of (await compactClosedDays(db, closedBefore)) ?? []) {
        this.compacted.inc();
        this.logger.info({ partition: p.name, indexBytesBefore: p.bytesBefore, indexBytesAfter: p.bytesAfter }, 'history partition compacted');
      }
    } finally {
      this.compactingPid = undefined;
      db.release();
    }
  }

  /** Each day's checkpoint, from the newest one on, while history is complete past the day's start. */
  private async checkpoints(cutoff: number): Promise<void> {
    for (;;) {
      const watermark = this.watermark.current();
      if (!watermark) return;
      const built = await this.locked(async (db) => {
        const { rows } = await db.query<{ day: Date | null }>('SELECT max(day) AS day FROM history.checkpoint_days');
        if (!rows[0].day) return false;
        // Before the retention cutoff only the cutoff's own checkpoint is worth writing.
        const next = Math.max(rows[0].day.getTime() + DAY_MS, cutoff);
        if (next >= instantMs(watermark)) return false;
        const day = new Date(next).toISOString();
        await ensurePartitions(db, [next]);
        const twins = await db.query(
          `INSERT INTO history.twin_checkpoints (day, etag, model, twin_id, document)
           SELECT $1, s.etag, s.model, s.twin_id, s.document FROM history.twin_states_at($1::timestamptz - interval '1 microsecond') s`, [day]);
        const relationships = await db.query(
          `INSERT INTO history.relationship_checkpoints (day, etag, source_id, relationship_id, name, target_id, properties)
           SELECT $1, r.etag, r.source_id, r.relationship_id, r.name, r.target_id, r.properties FROM history.relationships_at($1::timestamptz - interval '1 microsecond') r`, [day]);
        await db.query('INSERT INTO history.checkpoint_days (day, twins, relationships) VALUES ($1, $2, $3)', [day, twins.rowCount, relationships.rowCount]);
        this.logger.info({ day, twins: twins.rowCount, relationships: relationships.rowCount }, 'history checkpoint written');
        return true;
      });
      if (!built) return;
    }
  }

  /** Runs `work` in a transaction holding the maintenance lock; undefined when another replica has it. */
  private async locked<T>(work: (db: PoolClient) => Promise<T>): Promise<T | undefined> {
    const db = await this.pool.connect();
    try {
      await db.query('BEGIN');
      const { rows } = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('history-maintenance')) AS ok`);
      if (!rows[0].ok) {
        await db.query('ROLLBACK');
        return undefined;
      }
      const result = await work(db);
      await db.query('COMMIT');
      return result;
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.compactingPid = undefined;
      db.release();
    }
  }
}
