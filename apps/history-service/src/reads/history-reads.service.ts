import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DomainError, type AggregatedValue, type DigitalTwin, type HistoryPage, type HistoryRelationshipsRequest, type IncomingRelationship,
  type ListPage, type PropertyHistoryRequest, type PropertyValue, type Relationship,
} from '@odt/contracts';
import { checkGraphId, decodeCursor, encodeCursor } from '@odt/graph-domain';
import { foldTwinAsOf, instantMs, parseDuration, parseInstant, type CheckpointedTwin, type StoredTwinEvent } from '@odt/history-domain';
import { Pool, type QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { HISTORY_CONFIG, type HistoryConfig } from '../config';
import { writeLock } from '../ingest/write-lock';
import { HistoryWatermark } from '../watermark/history-watermark';
import { ModelNames } from './model-names';
import { aggregateSql, propertyPath, RAW_VALUES_SQL, type ValueRow, toPropertyValue, type BucketRow } from './property-values';
import { TWIN_ROWS_SQL, type TwinRow } from './twin-rows';

/** A client clock a little ahead of ours is not asking about the future. */
const CLOCK_SLACK_MS = 1000;

interface RelationshipRow {
  source_id: string;
  relationship_id: string;
  name: string;
  target_id: string;
  etag: string;
  properties: Record<string, unknown>;
}

/** Reads of the past: twins and relationships as of a moment, property values over time, the purge. */
@Injectable()
export class HistoryReads implements OnApplicationShutdown {
  private readonly pool: Pool;
  /**
   * Point reads: named statements with generic plans, planned once per connection (the as-of
   * functions inline into large plans; their filters prune partitions at run time).
   */
  private readonly points: Pool;
  private readonly modelNames: ModelNames;
  /** The checkpoint days, oldest first, as read lately (`days[0]`: where history begins). */
  private checkpoints?: { days: string[]; read: number };
  private refreshing?: Promise<unknown>;

  constructor(
    @InjectDataSource() db: DataSource,
    @Inject(HISTORY_CONFIG) private readonly config: HistoryConfig,
    private readonly watermark: HistoryWatermark,
  ) {
    this.pool = (db.driver as PostgresDriver).master as Pool;
    this.points = new Pool({
      connectionString: config.DATABASE_URL,
      max: config.HISTORY_READ_CONNECTIONS,
      application_name: 'history-service-reads',
      options: '-c plan_cache_mode=force_generic_plan',
      // Kept open once opened (pg closes idle ones after 10 s by default): a new backend's first
      // point read loads the catalog entries of every day partition and plans the statement again,
      // a stall of 100–300 ms that a read every ten seconds or so would meet (docs/benchmarks.md).
      idleTimeoutMillis: 0,
    });
    this.points.on('error', () => undefined);
    this.modelNames = new ModelNames(this.pool);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.points.end();
  }

  private async point<R extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<R[]> {
    return (await this.points.query<R>({ name, text, values })).rows;
  }

  /**
   * The moment, checked: a valid instant, not in the future, history complete past it (waiting up
   * to HISTORY_ASOF_WAIT_MS), and not before history begins (retention).
   */
  async moment(asOf: unknown): Promise<string> {
    const at = parseInstant('asOf', asOf);
    if (instantMs(at) > Date.now() + CLOCK_SLACK_MS) throw new DomainError('InvalidArgument', `asOf ${at} is in the future.`);
    await this.watermark.waitPast(at);
    const first = await this.firstCheckpoint(at);
    if (first === undefined || at < first) {
      throw new DomainError('HistoryNotAvailable', `History begins at ${first ?? 'no moment yet'} (retention ${this.config.HISTORY_RETENTION_DAYS} days); ${at} is earlier.`);
    }
    return at;
  }

  /**
   * The oldest checkpoint (where history begins). The days are remembered for a few seconds; read
   * again when a moment looks older than the first (retention may have moved it since, never backwards).
   */
  private async firstCheckpoint(at: string): Promise<string | undefined> {
    const known = this.checkpoints;
    const stale = !known || Date.now() - known.read >= 10_000;
    // Retention drops the oldest days: a moment in the first two known days needs a fresh list.
    if (known && at >= known.days[0] && (!stale || at >= known.days[Math.min(2, known.days.length - 1)])) {
      // Days are added once a day: for a later moment a few seconds' old list answers, and is read
      // again beside the reads rather than in front of them.
      if (stale) this.refreshing ??= this.readCheckpoints().catch(() => undefined).finally(() => { this.refreshing = undefined; });
      return known.days[0];
    }
    await this.readCheckpoints();
    return this.checkpoints?.days[0];
  }

  private async readCheckpoints(): Promise<void> {
    const { rows } = await this.pool.query<{ day: string }>(
      `SELECT to_char(day AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS day FROM history.checkpoint_days ORDER BY day`);
    this.checkpoints = rows.length > 0 ? { days: rows.map((r) => r.day), read: Date.now() } : undefined;
  }

  /**
   * The newest checkpoint day at or before a moment that `moment` accepted, from the days read
   * lately: one written since is not known yet, and an older one rebuilds the same twin (it reads
   * more events).
   */
  private checkpointDay(at: string): string | null {
    const days = this.checkpoints?.days ?? [];
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (days[mid] <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? days[lo - 1] : null;
  }

  async twin(id: string, asOf: string): Promise<DigitalTwin> {
    const at = await this.moment(asOf);
    const twin = await this.twinAt(id, at);
    if (!twin) throw twinNotFound(id, at);
    return twin;
  }

  async relationship(sourceId: string, relationshipId: string, asOf: string): Promise<Relationship> {
    const at = await this.moment(asOf);
    const rows = await this.point<RelationshipRow>('history-relationship',
      'SELECT * FROM history.relationships_from($1, ARRAY[$2::text]) WHERE relationship_id = $3', [at, sourceId, relationshipId]);
    if (!rows[0]) {
      if (!(await this.twinAt(sourceId, at))) throw twinNotFound(sourceId, at);
      throw new DomainError('RelationshipNotFoundAsOf', `Relationship ${relationshipId} of ${sourceId} did not exist at ${at}.`);
    }
    return toRelationship(rows[0]);
  }

  async outgoing(req: HistoryRelationshipsRequest): Promise<ListPage<Relationship>> {
    const at = await this.moment(req.asOf);
    if (!(await this.twinAt(req.twinId, at))) throw twinNotFound(req.twinId, at);
    const limit = this.pageSize(req.maxItemsPerPage);
    const after = req.cursor === undefined ? undefined : decodeCursor(req.cursor, (v): v is string => typeof v === 'string');
    const rows = await this.point<RelationshipRow>('history-outgoing',
      `SELECT * FROM history.relationships_from($1, ARRAY[$2::text])
       WHERE ($3::text IS NULL OR name = $3) AND ($4::text IS NULL OR relationship_id > $4) ORDER BY relationship_id LIMIT $5`,
      [at, req.twinId, req.relationshipName ?? null, after ?? null, limit + 1]);
    const page = rows.slice(0, limit);
    return { value: page.map(toRelationship), ...(rows.length > limit ? { nextCursor: encodeCursor(page[page.length - 1].relationship_id) } : {}) };
  }

  async incoming(req: HistoryRelationshipsRequest): Promise<ListPage<IncomingRelationship>> {
    const at = await this.moment(req.asOf);
    if (!(await this.twinAt(req.twinId, at))) throw twinNotFound(req.twinId, at);
    const limit = this.pageSize(req.maxItemsPerPage);
    const isPair = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');
    const after = req.cursor === undefined ? undefined : decodeCursor(req.cursor, isPair);
    const rows = await this.point<RelationshipRow>('history-incoming',
      `SELECT * FROM history.relationships_to($1, ARRAY[$2::text])
       WHERE $3::text IS NULL OR (source_id, relationship_id) > ($3, $4) ORDER BY source_id, relationship_id LIMIT $5`,
      [at, req.twinId, after?.[0] ?? null, after?.[1] ?? null, limit + 1]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      value: page.map((r) => ({
        $relationshipId: r.relationship_id, $sourceId: r.source_id, $relationshipName: r.name,
        $relationshipLink: `/digitaltwins/${r.source_id}/relationships/${r.relationship_id}`,
      })),
      ...(rows.length > limit ? { nextCursor: encodeCursor([last.source_id, last.relationship_id]) } : {}),
    };
  }

  /** A property's recorded values (or every key's), raw or aggregated in buckets, oldest first. */
  async values(req: PropertyHistoryRequest): Promise<HistoryPage<PropertyValue | AggregatedValue>> {
    checkGraphId('digital twin', req.twinId);
    const from = req.from === undefined ? null : parseInstant('from', req.from);
    const to = req.to === undefined ? null : parseInstant('to', req.to);
    const path = req.property === undefined ? undefined : propertyPath(req.property);
    const limit = this.pageSize(req.maxItemsPerPage);
    if (req.aggregate !== undefined) {
      if (!path) throw new DomainError('InvalidArgument', 'An aggregate needs a property.');
      const seconds = req.interval === undefined ? null : parseDuration('interval', req.interval);
      const after = req.cursor === undefined ? undefined : decodeCursor(req.cursor, (v): v is string => typeof v === 'string');
      const { rows } = await this.pool.query<BucketRow>(aggregateSql(req.aggregate), [req.twinId, from, to, path.key, path.member ?? null, seconds, after ?? null, limit + 1]);
      const page = rows.slice(0, limit);
      return {
        value: page.map((b) => ({
          key: path.text, from: b.bucket_from, to: b.bucket_to, aggregate: req.aggregate!, count: Number(b.n), ...(b.value !== null ? { value: b.value } : {}),
        })),
        ...(rows.length > limit ? { nextCursor: encodeCursor(page[page.length - 1].bucket_from) } : {}),
      };
    }
    if (req.lastN !== undefined) {
      if (!Number.isSafeInteger(req.lastN) || req.lastN < 1) throw new DomainError('InvalidArgument', 'lastN must be a positive integer.');
      const { rows } = await this.pool.query<ValueRow>(`${RAW_VALUES_SQL} ORDER BY e.ts DESC, k.key DESC LIMIT $8`,
        [req.twinId, from, to, path?.key ?? null, path?.member ?? null, null, null, Math.min(req.lastN, this.config.HISTORY_MAX_PAGE_SIZE)]);
      return { value: rows.reverse().map((r) => toPropertyValue(r, path)) };
    }
    const isPair = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');
    const after = req.cursor === undefined ? undefined : decodeCursor(req.cursor, isPair);
    const { rows } = await this.pool.query<ValueRow>(`${RAW_VALUES_SQL} ORDER BY e.ts, k.key LIMIT $8`,
      [req.twinId, from, to, path?.key ?? null, path?.member ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { value: page.map((r) => toPropertyValue(r, path)), ...(rows.length > limit ? { nextCursor: encodeCursor([last.time, last.key]) } : {}) };
  }

  /** Forgets a twin: its events and checkpoints, and its outgoing relationships'; redelivered ones stay out. */
  async purge(twinId: string): Promise<{ deleted: number }> {
    checkGraphId('digital twin', twinId);
    const db = await this.pool.connect();
    try {
      await db.query('BEGIN');
      // The writer's lock: no batch holding events of this twin commits across the purge.
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [writeLock(this.config.EVENTS_STREAM)]);
      let deleted = 0;
      for (const sql of [
        'DELETE FROM history.twin_events WHERE twin_id = $1',
        'DELETE FROM history.twin_checkpoints WHERE twin_id = $1',
        'DELETE FROM history.relationship_events WHERE source_id = $1',
        'DELETE FROM history.relationship_checkpoints WHERE source_id = $1',
      ]) deleted += (await db.query(sql, [twinId])).rowCount ?? 0;
      await db.query('DELETE FROM history.twin_state WHERE twin_id = $1', [twinId]);
      await db.query('DELETE FROM history.relationship_state WHERE source_id = $1', [twinId]);
      await db.query(`INSERT INTO history.purges (twin_id, until) VALUES ($1, clock_timestamp()) ON CONFLICT (twin_id) DO UPDATE SET until = EXCLUDED.until`, [twinId]);
      await db.query('COMMIT');
      return { deleted };
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
  }

  private async twinAt(id: string, at: string): Promise<DigitalTwin | undefined> {
    // Postgres fetches the rows (the checkpoint day a parameter: the generic plan prunes the day
    // partitions as it starts); the fold is `foldTwinAsOf`, the same as `twin_states_of`'s SQL.
    const rows = await this.point<TwinRow>('history-twin-rows', TWIN_ROWS_SQL, [this.checkpointDay(at), at, id]);
    let checkpoint: CheckpointedTwin | undefined;
    const events: StoredTwinEvent[] = [];
    for (const r of rows) {
      if (r.time === null) checkpoint = { etag: r.etag, model: r.model, document: r.changes! };
      else events.push({ time: r.time, kind: r.kind, etag: r.etag, model: r.model, changes: r.changes, removed: r.removed, sourceTimes: r.source_times });
    }
    const dtmis = events.length > 0 ? await this.modelNames.of(new Set(events.map((e) => e.model))) : undefined;
    const twin = foldTwinAsOf(checkpoint, events, (model) => dtmis?.get(model) ?? null);
    return twin ? ({ $dtId: id, $etag: `W/"${twin.etag}"`, ...twin.document } as DigitalTwin) : undefined;
  }

  private pageSize(requested: number): number {
    return Math.min(Math.max(1, requested), this.config.HISTORY_MAX_PAGE_SIZE);
  }
}

function twinNotFound(id: string, at: string): DomainError {
  return new DomainError('DigitalTwinNotFoundAsOf', `Digital twin ${id} did not exist at ${at}.`);
}

function toRelationship(r: RelationshipRow): Relationship {
  return { $relationshipId: r.relationship_id, $etag: `W/"${r.etag}"`, $sourceId: r.source_id, $relationshipName: r.name, $targetId: r.target_id, ...r.properties };
}

