import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventTypes, type DigitalTwinsEvent } from '@odt/contracts';
import {
  applyRelationshipEvent, applyTwinEvent, instantMs, relationshipKeyOf,
  type RelationshipEventRow, type RelationshipState, type SkipReason, type TwinEventRow, type TwinState,
} from '@odt/history-domain';
import { Metrics, ROOT_LOGGER } from '@odt/service-kit';
import type { Logger } from 'pino';
import type { Pool, PoolClient } from 'pg';
import type { Counter, Histogram } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { HISTORY_CONFIG, type HistoryConfig } from '../config';
import { DAY_MS, dayStart, ensurePartitions } from '../maintenance/partitions';
import { writeLock } from './write-lock';
import { callerKey, InternedIds } from './interned';

const TS = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const NO_PARTITION = '23514';

/**
 * Stores a batch of events in one transaction: each twin's and relationship's events applied in
 * stream order to the state history keeps of it, one row per event, the new states, telemetry
 * (opt-in). Redelivered events change nothing: an entity's state remembers its last event (events
 * of one entity arrive in order), and the rows' unique keys hold the event id.
 */
@Injectable()
export class HistoryWriter {
  private readonly pool: Pool;
  private readonly lag: Histogram;
  private readonly skipped: Counter<'reason'>;

  constructor(
    @InjectDataSource() db: DataSource,
    @Inject(HISTORY_CONFIG) private readonly config: HistoryConfig,
    private readonly interned: InternedIds,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.pool = (db.driver as PostgresDriver).master as Pool;
    this.lag = metrics.histogram('history_ingest_lag_seconds', 'From an event\'s time (its change written) to its history row committed.', [],
      [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60]);
    this.skipped = metrics.counter('history_events_skipped_total', 'Events not recorded, by reason (duplicate: redelivered; expired: older than retention).', ['reason']);
  }

  async store(events: DigitalTwinsEvent[]): Promise<void> {
    const cutoff = dayStart(Date.now()) - this.config.HISTORY_RETENTION_DAYS * DAY_MS;
    const kept = events.filter((e) => {
      const old = instantMs(e.time) < cutoff;
      if (old) this.skipped.inc({ reason: 'expired' });
      return !old;
    });
    if (kept.length === 0) return;
    try {
      await this.transaction((db) => this.write(db, kept));
    } catch (err) {
      if ((err as { code?: string }).code !== NO_PARTITION) throw err;
      // A day no partition exists for yet (maintenance runs ahead; this covers a clock or a backlog ahead of it).
      await this.transaction((db) => ensurePartitions(db, kept.map((e) => dayStart(instantMs(e.time)))));
      await this.transaction((db) => this.write(db, kept));
    }
    const now = Date.now();
    for (const e of kept) this.lag.observe(Math.max(0, (now - instantMs(e.time)) / 1000));
  }

  private async transaction(work: (db: PoolClient) => Promise<void>): Promise<void> {
    const db = await this.pool.connect();
    try {
      await db.query('BEGIN');
      await work(db);
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      this.interned.forget();
      throw err;
    } finally {
      db.release();
    }
  }

  private async write(db: PoolClient, events: DigitalTwinsEvent[]): Promise<void> {
    // Shared with a purge, which must not interleave with a batch holding the purged twin's events.
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [writeLock(this.config.EVENTS_STREAM)]);
    const twinEvents = events.filter((e) => e.type.startsWith('Microsoft.DigitalTwins.Twin.'));
    const relEvents = events.filter((e) => e.type.startsWith('Microsoft.DigitalTwins.Relationship.'));
    const telemetry = events.filter((e) => e.type === EventTypes.Telemetry);
    const purged = await this.purges(db, [...twinEvents.map((e) => e.subject ?? ''), ...relEvents.map((e) => relationshipKeyOf(e.subject)?.sourceId ?? '')]);
    const isPurged = (twinId: string, time: string) => (purged.get(twinId) ?? '') >= time;

    const twinStates = await this.twinStates(db, [...new Set(twinEvents.map((e) => e.subject ?? ''))]);
    const twinRows: TwinEventRow[] = [];
    const changedTwins = new Map<string, TwinState>();
    for (const event of twinEvents) {
      if (isPurged(event.subject ?? '', event.time)) {
        this.skip('purged');
        continue;
      }
      const applied = applyTwinEvent(twinStates.get(event.subject ?? ''), event);
      if ('skipped' in applied) {
        this.skip(applied.skipped, event, twinStates.get(event.subject ?? ''));
        continue;
      }
      twinRows.push(applied.row);
      twinStates.set(applied.row.twinId, applied.state);
      changedTwins.set(applied.row.twinId, applied.state);
    }

    const relStates = await this.relationshipStates(db, relEvents);
    const relRows: RelationshipEventRow[] = [];
    const changedRels = new Map<string, { key: { sourceId: string; relationshipId: string }; state: RelationshipState }>();
    for (const event of relEvents) {
      const key = relationshipKeyOf(event.subject);
      if (!key || isPurged(key.sourceId, event.time)) {
        this.skip(key ? 'purged' : 'unreadable');
        continue;
      }
      const k = JSON.stringify([key.sourceId, key.relationshipId]);
      const applied = applyRelationshipEvent(relStates.get(k), event);
      if ('skipped' in applied) {
        this.skip(applied.skipped, event, relStates.get(k));
        continue;
      }
      relRows.push(applied.row);
      relStates.set(k, applied.state);
      changedRels.set(k, { key, state: applied.state });
    }

    const models = await this.interned.modelIds(db, [...twinRows.map((r) => r.model), ...[...changedTwins.values()].map((s) => s.model)]);
    const callers = await this.interned.callerIds(db, [...twinRows, ...relRows].map((r) => r.caller));
    const callerId = (r: { caller?: { authtype: string; authid: string } }) => (r.caller ? callers.get(callerKey(r.caller)) ?? null : null);

    if (twinRows.length > 0) {
      await db.query(
        `INSERT INTO history.twin_events (ts, etag, event_id, model, caller, kind, twin_id, changes, removed, source_times)
         SELECT ts, etag, event_id, model, caller, kind, twin_id, changes, removed, source_times
         FROM jsonb_to_recordset($1::jsonb) AS x(ts timestamptz, etag uuid, event_id uuid, model integer, caller integer, kind "char", twin_id text, changes jsonb, removed text[], source_times jsonb)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(twinRows.map((r) => ({
          ts: r.ts, etag: r.etag, event_id: r.eventId, model: models.get(r.model), caller: callerId(r), kind: r.kind,
          twin_id: r.twinId, changes: r.changes, removed: r.removed, source_times: r.sourceTimes,
        })))],
      );
      await db.query(
        `INSERT INTO history.twin_state (twin_id, ts, event_id, etag, model, document)
         SELECT twin_id, ts, event_id, etag, model, document
         FROM jsonb_to_recordset($1::jsonb) AS x(twin_id text, ts timestamptz, event_id uuid, etag uuid, model integer, document jsonb)
         ON CONFLICT (twin_id) DO UPDATE SET ts = EXCLUDED.ts, event_id = EXCLUDED.event_id, etag = EXCLUDED.etag, model = EXCLUDED.model, document = EXCLUDED.document`,
        [JSON.stringify([...changedTwins].map(([id, s]) => ({ twin_id: id, ts: s.ts, event_id: s.eventId, etag: s.etag, model: models.get(s.model), document: s.document })))],
      );
    }
    if (relRows.length > 0) {
      await db.query(
        `INSERT INTO history.relationship_events (ts, etag, event_id, caller, kind, source_id, relationship_id, name, target_id, changes, removed)
         SELECT ts, etag, event_id, caller, kind, source_id, relationship_id, name, target_id, changes, removed
         FROM jsonb_to_recordset($1::jsonb) AS x(ts timestamptz, etag uuid, event_id uuid, caller integer, kind "char", source_id text, relationship_id text, name text, target_id text, changes jsonb, removed text[])
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(relRows.map((r) => ({
          ts: r.ts, etag: r.etag, event_id: r.eventId, caller: callerId(r), kind: r.kind, source_id: r.sourceId, relationship_id: r.relationshipId,
          name: r.name, target_id: r.targetId, changes: r.changes, removed: r.removed,
        })))],
      );
      await db.query(
        `INSERT INTO history.relationship_state (source_id, relationship_id, ts, event_id, etag, name, target_id, properties)
         SELECT source_id, relationship_id, ts, event_id, etag, name, target_id, properties
         FROM jsonb_to_recordset($1::jsonb) AS x(source_id text, relationship_id text, ts timestamptz, event_id uuid, etag uuid, name text, target_id text, properties jsonb)
         ON CONFLICT (source_id, relationship_id) DO UPDATE SET ts = EXCLUDED.ts, event_id = EXCLUDED.event_id, etag = EXCLUDED.etag,
           name = EXCLUDED.name, target_id = EXCLUDED.target_id, properties = EXCLUDED.properties`,
        [JSON.stringify([...changedRels.values()].map(({ key, state: s }) => ({
          source_id: key.sourceId, relationship_id: key.relationshipId, ts: s.ts, event_id: s.eventId, etag: s.etag, name: s.name, target_id: s.targetId, properties: s.properties,
        })))],
      );
    }
    if (telemetry.length > 0 && this.config.HISTORY_TELEMETRY) {
      await db.query(
        `INSERT INTO history.telemetry (ts, twin_id, component, message_id, data)
         SELECT ts, twin_id, component, message_id, data FROM jsonb_to_recordset($1::jsonb) AS x(ts timestamptz, twin_id text, component text, message_id text, data jsonb)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(telemetry.map((e) => ({ ts: e.time, twin_id: e.source.split('/digitaltwins/').pop(), component: e.subject ?? null, message_id: e.id, data: e.data })))],
      );
    }
  }

  private skip(reason: SkipReason | 'purged' | 'unreadable', event?: DigitalTwinsEvent, state?: { ts: string; eventId: string }): void {
    this.skipped.inc({ reason });
    // Redeliveries are expected; anything else means history could not place an event.
    if (reason !== 'duplicate' && reason !== 'redelivered' && reason !== 'purged') {
      this.logger.warn({ reason, eventId: event?.id, type: event?.type, subject: event?.subject, time: event?.time, state: state ? { ts: state.ts, eventId: state.eventId, deleted: (state as { document?: unknown }).document === null } : null }, 'event not recorded');
    }
  }

  private async purges(db: PoolClient, twinIds: string[]): Promise<Map<string, string>> {
    const { rows } = await db.query<{ twin_id: string; until: string }>(`SELECT twin_id, ${TS('until')} AS until FROM history.purges WHERE twin_id = ANY($1)`, [[...new Set(twinIds)]]);
    return new Map(rows.map((r) => [r.twin_id, r.until]));
  }

  private async twinStates(db: PoolClient, ids: string[]): Promise<Map<string, TwinState>> {
    if (ids.length === 0) return new Map();
    const { rows } = await db.query<{ twin_id: string; ts: string; event_id: string; etag: string; model: string; document: TwinState['document'] }>(
      `SELECT s.twin_id, ${TS('s.ts')} AS ts, s.event_id, s.etag, m.dtmi AS model, s.document
       FROM history.twin_state s JOIN history.models m ON m.id = s.model WHERE s.twin_id = ANY($1) FOR UPDATE OF s`,
      [ids],
    );
    return new Map(rows.map((r) => [r.twin_id, { ts: r.ts, eventId: r.event_id, etag: r.etag, model: r.model, document: r.document }]));
  }

  private async relationshipStates(db: PoolClient, events: DigitalTwinsEvent[]): Promise<Map<string, RelationshipState>> {
    const keys = [...new Set(events.map((e) => relationshipKeyOf(e.subject)).filter((k) => k !== undefined).map((k) => JSON.stringify([k.sourceId, k.relationshipId])))];
    if (keys.length === 0) return new Map();
    const { rows } = await db.query<{ source_id: string; relationship_id: string; ts: string; event_id: string; etag: string; name: string; target_id: string; properties: RelationshipState['properties'] }>(
      `SELECT s.source_id, s.relationship_id, ${TS('s.ts')} AS ts, s.event_id, s.etag, s.name, s.target_id, s.properties
       FROM history.relationship_state s JOIN jsonb_to_recordset($1::jsonb) AS k(s text, r text) ON s.source_id = k.s AND s.relationship_id = k.r FOR UPDATE OF s`,
      [JSON.stringify(keys.map((k) => JSON.parse(k) as string[]).map(([s, r]) => ({ s, r })))],
    );
    return new Map(rows.map((r) => [JSON.stringify([r.source_id, r.relationship_id]), {
      ts: r.ts, eventId: r.event_id, etag: r.etag, name: r.name, targetId: r.target_id, properties: r.properties,
    }]));
  }
}
