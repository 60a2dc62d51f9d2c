import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Client, Pool } from 'pg';
import type { Metrics } from '@odt/service-kit';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { outboxChannel } from './outbox';

export interface OutboxRelayOptions {
  databaseUrl: string;
  schema: string;
  nc: NatsConnection;
  logger: Logger;
  /** Fallback when a NOTIFY is missed (e.g. the LISTEN connection was re-established). */
  pollIntervalMs?: number;
  batchSize?: number;
  /** How long published rows stay in the outbox (default 1 h). */
  retentionMs?: number;
  metrics?: Metrics;
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
 * write takes the twin's row lock before appending) and marks them published only after the PubAck.
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
  /** A NOTIFY arrived while the relay was busy: drain again without sleeping. */
  private pending = false;
  private lastPrune = 0;
  private lag?: Histogram<'schema'>;

  constructor(private readonly options: OutboxRelayOptions) {
    this.pool = new Pool({ connectionString: options.databaseUrl, max: 2, application_name: `outbox-relay:${options.schema}` });
    this.pool.on('error', (err) => options.logger.warn({ err }, 'outbox pool error'));
    this.js = jetstream(options.nc);
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
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollIntervalMs ?? 1000;
    while (!this.stopped) {
      try {
        if (!this.leader) await this.tryBecomeLeader();
        if (this.leader) {
          this.pending = false;
          await this.drain();
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
    client.on('error', () => void this.dropListener());
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      `outbox-relay:${this.options.schema}`,
    ]);
    if (!rows[0].locked) {
      await client.end();
      return;
    }
    client.on('notification', () => {
      this.pending = true;
      this.wake?.();
    });
    await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
    this.listener = client;
    this.leader = true;
    this.options.logger.info({ schema: this.options.schema }, 'outbox relay is the leader');
  }

  private async dropListener(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.leader = false;
    await listener?.end().catch(() => undefined);
  }

  /**
   * Publishes until no unpublished row is left. A batch is marked published while the next one is
   * read and published (its rows left out of that read), so the mark is off the events' path; a
   * mark must be done before the next one starts, and before the drain ends.
   */
  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 256;
    let marking: Promise<unknown> = Promise.resolve();
    let beingMarked: string[] = [];
    try {
      for (;;) {
        if (this.stopped || !this.leader) return;
        const { rows } = await this.pool.query<OutboxRow>(
          `SELECT id, event_id, subject, payload::text AS payload, split_part(payload->>'subject', '/', 1) AS twin, extract(epoch FROM clock_timestamp() - created_at)::float8 AS age FROM "${this.options.schema}".outbox
           WHERE published_at IS NULL AND NOT (id = ANY($2::bigint[])) ORDER BY id LIMIT $1`,
          [batchSize, beingMarked],
        );
        if (rows.length === 0) return;
        const published = await this.publishInOrder(rows);
        await marking;
        beingMarked = published;
        if (published.length > 0) {
          marking = this.pool.query(`UPDATE "${this.options.schema}".outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])`, [published]);
        }
        if (published.length < rows.length) throw new Error('publish to JetStream failed');
      }
    } finally {
      await marking;
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

  /** Published rows are kept a while (for inspection and replay by hand), then dropped. */
  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.pool.query(
      `DELETE FROM "${this.options.schema}".outbox WHERE published_at < clock_timestamp() - make_interval(secs => $1)`,
      [(this.options.retentionMs ?? 3_600_000) / 1000],
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
