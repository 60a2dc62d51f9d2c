import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { watermarkBucket, type OutboxWatermark } from '@odt/contracts';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { Client, Pool } from 'pg';
import { connectionErrorDetails, guardClient, guardPool, type Metrics } from '@odt/service-kit';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { outboxChannel } from './outbox';

export interface OutboxRelayOptions {
  databaseUrl: string;
  schema: string;
  nc: NatsConnection;
  /**
   * The core-NATS subject writers publish to once their rows have committed (`OutboxWaker`): the
   * leader reads at once instead of at its next poll. Postgres NOTIFYs on the outbox's channel wake
   * it as well (writers of older versions, tools).
   */
  wakeSubject?: string;
  logger: Logger;
  /** Fallback when a NOTIFY is missed (e.g. the LISTEN connection was re-established). */
  pollIntervalMs?: number;
  /** Rows read and published per pass while the relay keeps up (default 256). */
  batchSize?: number;
  /**
   * The largest pass (default 2048): a pass that comes back full (a backlog, as after a bulk
   * import) doubles the next one up to this; one that comes back short returns to `batchSize`.
   */
  maxBatchSize?: number;
  /**
   * How long a published row stays in the outbox, marked with its `published_at`, for inspection
   * (default 0: it is deleted as soon as JetStream has acknowledged it; the stream is the record).
   * Deleting is the cheaper mark: no second version of the row and its index entries, nothing for
   * a later prune to scan.
   */
  keepPublishedMs?: number;
  metrics?: Metrics;
  /**
   * Announce the relay's watermark (see `announceWatermark`) in the KV bucket of this stream, at
   * most and at least every `intervalMs` while leader.
   */
  watermark?: { stream: string; intervalMs: number; replicas?: number };
}

interface OutboxRow {
  id: string;
  event_id: string;
  subject: string;
  payload: string;
  /** The twin the event is about (the subject's first segment): events of one twin keep their order. */
  twin: string;
  /** Seconds since the row was written. */
  age: number;
}

/**
 * Publishes committed outbox rows to JetStream in outbox order (per twin, that is commit order: a
 * write takes the twin's row lock before appending) and deletes them (or marks them published, see
 * `keepPublishedMs`) only after the PubAck.
 * One relay per schema is active at a time (a session advisory lock elects it, and a crashed
 * leader's lock dies with its connection); `Nats-Msg-Id` = event id makes the republish of
 * rows acknowledged but not yet marked harmless.
 */
export class OutboxRelay {
  private readonly pool: Pool;
  private listener?: Client;
  private readonly js: JetStreamClient;
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private leader = false;
  private ledBefore = false;
  /** A NOTIFY arrived while the relay was busy: drain again without sleeping. */
  private pending = false;
  private lastPrune = 0;
  private lag?: Histogram<'schema'>;
  /** Highest stream sequence any event of this outbox is at (PubAcks, and the stream's end when leadership began). */
  private lastSeq = 0;
  /** The newest watermark this relay can promise, and the last one it announced. */
  private eligible?: OutboxWatermark;
  private announced?: OutboxWatermark;
  private lastAnnounce = 0;
  private kv?: KV;
  private lastProbe?: { w: string; at: number };
  private wakeSubscription?: Subscription;
  /** The statement that settles a pass's published rows: delete them, or mark them when they are kept. */
  private readonly markSql: string;

  constructor(private readonly options: OutboxRelayOptions) {
    this.pool = guardPool(
      new Pool({ connectionString: options.databaseUrl, max: 2, application_name: `outbox-relay:${options.schema}` }),
      `outbox-relay:${options.schema}`,
      options.logger,
    );
    this.js = jetstream(options.nc);
    this.markSql = (options.keepPublishedMs ?? 0) > 0
      ? `UPDATE "${options.schema}".outbox SET published_at = statement_timestamp() WHERE id = ANY($1::bigint[])`
      : `DELETE FROM "${options.schema}".outbox WHERE id = ANY($1::bigint[])`;
    this.observeWith(options.metrics);
  }

  /** Outbox lag: how long events wait to be published, how many are waiting, who is the leader. */
  private observeWith(metrics: Metrics | undefined): void {
    if (!metrics) return;
    const schema = this.options.schema;
    this.lag = metrics.histogram('outbox_publish_lag_seconds', 'Time from an outbox row being written to its event being acknowledged by JetStream.', ['schema']);
    metrics.gauge('outbox_unpublished_events', 'Committed events not yet published to JetStream.', ['schema'], async (gauge) => {
      const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".outbox WHERE published_at IS NULL`).catch(() => ({ rows: [] as { n: string }[] }));
      if (rows[0]) gauge.set({ schema }, Number(rows[0].n));
    });
    metrics.gauge('outbox_relay_leader', '1 when this process is the publishing relay of the schema.', ['schema'], (gauge) => {
      gauge.set({ schema }, this.leader ? 1 : 0);
    });
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.options.wakeSubject) {
      this.wakeSubscription = this.options.nc.subscribe(this.options.wakeSubject, {
        callback: () => {
          if (!this.leader) return;
          this.pending = true;
          this.wake?.();
        },
      });
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSubscription?.unsubscribe();
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const pollMs = Math.min(this.options.pollIntervalMs ?? 1000, this.options.watermark?.intervalMs ?? Infinity);
    while (!this.stopped) {
      try {
        if (!this.leader) await this.tryBecomeLeader();
        if (this.leader) {
          this.pending = false;
          await this.drain();
          await this.announceWatermark(true);
          await this.pruneIfDue();
        }
      } catch (err) {
        this.options.logger.warn({ err: (err as Error).message, schema: this.options.schema }, 'outbox relay cycle failed; retrying');
        await this.dropListener();
      }
      await this.sleep(pollMs);
    }
  }

  private async tryBecomeLeader(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: `outbox-listener:${this.options.schema}` });
    // The leader's connection holds the lock and the LISTEN: once it is lost, so is leadership;
    // the loop elects again (maybe another replica) and the poll covers the NOTIFYs missed meanwhile.
    guardClient(client, (err) => {
      if (this.listener === client && !this.stopped) {
        this.options.logger.warn({ schema: this.options.schema, error: err && connectionErrorDetails(err) }, 'outbox relay lost its leader connection; electing again');
        void this.dropListener();
        this.wake?.();
      }
    });
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      `outbox-relay:${this.options.schema}`,
    ]);
    if (!rows[0].locked) {
      await client.end().catch(() => undefined);
      return;
    }
    client.on('notification', () => {
      this.pending = true;
      this.wake?.();
    });
    await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
    if (this.options.watermark) {
      // Whatever the previous leader published is at or below the stream's end now.
      const info = await (await jetstreamManager(this.options.nc)).streams.info(this.options.watermark.stream);
      this.lastSeq = Math.max(this.lastSeq, info.state.last_seq);
      this.eligible = undefined;
    }
    this.listener = client;
    this.leader = true;
    // Taking over from another replica is news; the first leadership of a start is not.
    this.options.logger[this.ledBefore ? 'info' : 'debug']({ schema: this.options.schema }, 'outbox relay is the leader');
    this.ledBefore = true;
  }

  private async dropListener(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.leader = false;
    this.eligible = undefined;
    this.lastProbe = undefined;
    await listener?.end().catch(() => undefined);
  }

  /**
   * Publishes until no unpublished row is left. A batch is marked published while the next one is
   * read and published (its rows left out of that read), so the mark is off the events' path; a
   * mark must be done before the next one starts, and before the drain ends.
   */
  private async drain(): Promise<void> {
    const baseSize = this.options.batchSize ?? 256;
    const maxSize = Math.max(baseSize, this.options.maxBatchSize ?? 2048);
    let batchSize = baseSize;
    // The mark runs while the next batch is read and published; its failure (a lost connection)
    // is kept, not left as a rejected promise nobody awaits yet (an unhandled rejection ends the process).
    let marking: Promise<Error | undefined> = Promise.resolve(undefined);
    let beingMarked: string[] = [];
    const settled = (query: Promise<unknown>) => query.then(() => undefined, (err: Error) => err);
    const marked = async () => {
      const failure = await marking;
      marking = Promise.resolve(undefined);
      if (failure) throw failure;
    };
    try {
      for (;;) {
        if (this.stopped || !this.leader) return;
        const watermark = this.options.watermark ? await this.recentProbe() : undefined;
        const { rows } = await this.pool.query<OutboxRow>(
          `SELECT id, event_id, subject, payload::text AS payload, split_part(payload->>'subject', '/', 1) AS twin, extract(epoch FROM clock_timestamp() - created_at)::float8 AS age FROM "${this.options.schema}".outbox
           WHERE published_at IS NULL AND NOT (id = ANY($2::bigint[])) ORDER BY id LIMIT $1`,
          [batchSize, beingMarked],
        );
        const published = rows.length === 0 ? [] : await this.publishInOrder(rows);
        // Every row visible to this read is in the stream now: the probe's promise holds.
        if (watermark && published.length === rows.length && rows.length < batchSize) this.eligible = { time: watermark, seq: this.lastSeq };
        if (rows.length === 0) return;
        // A backlog is published in longer passes (fewer reads and marks per event); a steady
        // trickle keeps the short ones, whose marks stay small beside the writers' commits.
        batchSize = rows.length === batchSize ? Math.min(batchSize * 2, maxSize) : baseSize;
        await marked();
        beingMarked = published;
        if (published.length > 0) marking = settled(this.pool.query(this.markSql, [published]));
        if (published.length < rows.length) throw new Error('publish to JetStream failed');
        await this.announceWatermark(false);
      }
    } finally {
      await marked();
    }
  }

  /**
   * Publishes in waves: the first event of each twin in the batch, side by side, then, once all of
   * those are acknowledged, each twin's second event, and so on. A twin's later event is never sent
   * before its earlier one is in the stream (pipelining one twin's events could reorder them across
   * a reconnect); different twins' events need no order between them. Stops at the first wave with
   * a failure. Returns the ids of the acknowledged rows.
   */
  private async publishInOrder(rows: OutboxRow[]): Promise<string[]> {
    const waves: OutboxRow[][] = [];
    const depth = new Map<string, number>();
    for (const row of rows) {
      const d = depth.get(row.twin) ?? 0;
      depth.set(row.twin, d + 1);
      (waves[d] ??= []).push(row);
    }
    const acked: string[] = [];
    const started = performance.now();
    for (const wave of waves) {
      const results = await Promise.allSettled(wave.map((row) => this.js.publish(row.subject, row.payload, { msgID: row.event_id, timeout: 5000 })));
      let failed = false;
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') {
          acked.push(wave[i].id);
          if (result.value.seq > this.lastSeq) this.lastSeq = result.value.seq;
          this.lag?.observe({ schema: this.options.schema }, wave[i].age + (performance.now() - started) / 1000);
        } else {
          failed = true;
          this.options.logger.warn({ err: (result.reason as Error).message, eventId: wave[i].event_id }, 'publish failed');
        }
      });
      if (failed) break;
    }
    return acked;
  }

  /**
   * The time before which every event of this outbox that will ever commit has committed, taken
   * BEFORE the read it vouches for: a row's `time` is the clock of its writing statement, which runs
   * after its transaction started and after it got a transaction id. A writer that had no
   * transaction id when this statement ran will stamp a later time; one that had one and is still
   * open started at or after the `xact_start` seen here; one that had one and is gone has
   * committed (or aborted), so the next read sees its row. Hence: min(now, oldest open writer's
   * start) of this database's sessions. (Sessions of other roles must be visible in
   * `pg_stat_activity`: the same role, or `pg_read_all_stats`.)
   */
  /**
   * A probe taken before the read that follows, fresh enough for the announcements: any probe
   * taken before a read vouches for it (an older one more conservatively), so one per half
   * interval is enough and keeps pg_stat_activity off every read.
   */
  private async recentProbe(): Promise<string> {
    const intervalMs = this.options.watermark?.intervalMs ?? 0;
    if (!this.lastProbe || Date.now() - this.lastProbe.at >= intervalMs / 2) {
      const at = Date.now();
      this.lastProbe = { w: await this.probeWatermark(), at };
    }
    return this.lastProbe.w;
  }

  private async probeWatermark(): Promise<string> {
    const { rows } = await this.pool.query<{ w: string }>(
      `SELECT to_char(least(statement_timestamp(), (
         SELECT min(xact_start) FROM pg_stat_activity
         WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()
       )) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS w`,
    );
    return rows[0].w;
  }

  /**
   * Puts the eligible watermark (`{time, seq}`) under this outbox's key, at most every
   * `intervalMs` (`idle`: the loop is about to sleep, so it goes out now if due).
   */
  private async announceWatermark(idle: boolean): Promise<void> {
    const options = this.options.watermark;
    const w = this.eligible;
    if (!options || !w || !this.leader) return;
    if (this.announced && this.announced.time === w.time && this.announced.seq === w.seq) return;
    // While busy at most every interval; about to sleep (idle), a little early rather than a whole sleep late.
    if (Date.now() - this.lastAnnounce < (idle ? options.intervalMs / 2 : options.intervalMs)) return;
    // Announcing must never stop the publishing: a failure is logged and retried at the next interval.
    this.lastAnnounce = Date.now();
    try {
      this.kv ??= await this.bucket(options);
      await this.kv.put(this.options.schema, JSON.stringify(w), { timeout: 2000 } as never);
      this.announced = w;
    } catch (err) {
      this.kv = undefined;
      this.options.logger.warn({ err: (err as Error).message, schema: this.options.schema }, 'watermark not announced');
    }
  }

  private async bucket(options: NonNullable<OutboxRelayOptions['watermark']>): Promise<KV> {
    const kvm = new Kvm(this.options.nc);
    const name = watermarkBucket(options.stream);
    return kvm.open(name).then(
      async (kv) => ((await kv.status().then(() => true, () => false)) ? kv : kvm.create(name, { history: 1, replicas: options.replicas ?? 1 })),
      () => kvm.create(name, { history: 1, replicas: options.replicas ?? 1 }),
    );
  }

  /** Rows kept after publishing (`keepPublishedMs`) are dropped once that time has passed. */
  private async pruneIfDue(): Promise<void> {
    if (!((this.options.keepPublishedMs ?? 0) > 0) || Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.pool.query(
      `DELETE FROM "${this.options.schema}".outbox WHERE published_at < clock_timestamp() - make_interval(secs => $1)`,
      [(this.options.keepPublishedMs ?? 0) / 1000],
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.pending || this.stopped) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
