import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { ensureEventsStream, NATS_CONNECTION } from '@odt/messaging';
import { Metrics, ROOT_LOGGER } from '@odt/service-kit';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { HISTORY_CONFIG, type HistoryConfig } from '../config';
import { HistoryOrigin } from '../maintenance/history-origin';
import { HistoryWatermark } from '../watermark/history-watermark';
import { HistoryWriter } from './history-writer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/**
 * The durable consumer of the change stream (`HISTORY_CONSUMER`; replicas share it). One replica
 * at a time ingests — the one holding a Postgres session advisory lock, released with its
 * connection if it dies — because a twin's events must be applied in order (an update's new
 * values come from the state before it). It takes what arrived as one batch (at most
 * `HISTORY_BATCH_SIZE`, the consumer's unacknowledged limit), writes it in one transaction, and
 * acknowledges after the commit. On taking over, and whenever a delivery went missing (a gap in
 * the consumer's delivery sequence, after a reconnect), it starts the consumer again from its
 * acknowledgement floor, so that every twin's events are applied in order.
 */
@Injectable()
export class HistoryIngest implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopping = false;
  private leaseLoop?: Promise<void>;
  private lease?: Client;
  private messages?: ConsumerMessages;
  private held: JsMsg[] = [];
  private wake?: () => void;
  private lastDelivery = 0;
  private gap = false;
  private leader = false;
  private tookLeadBefore = false;
  private lastRefresh = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(HISTORY_CONFIG) private readonly config: HistoryConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly writer: HistoryWriter,
    private readonly watermark: HistoryWatermark,
    private readonly origin: HistoryOrigin,
    metrics: Metrics,
  ) {
    metrics.gauge('history_ingest_leader', '1 when this replica is the one writing history.', [], (g) => g.set(this.leader ? 1 : 0));
  }

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await ensureEventsStream(this.nc, this.config.EVENTS_STREAM, this.config.EVENTS_SUBJECT_PREFIX, this.config.EVENTS_STREAM_REPLICAS);
    await jsm.consumers.info(this.config.EVENTS_STREAM, this.config.HISTORY_CONSUMER).catch(() => jsm.consumers.add(this.config.EVENTS_STREAM, this.consumerConfig(1)));
    this.leaseLoop = this.run();
  }

  private consumerConfig(startSeq: number): Partial<ConsumerConfig> {
    const prefix = this.config.EVENTS_SUBJECT_PREFIX;
    return {
      durable_name: this.config.HISTORY_CONSUMER,
      // A batch is stored in stream order and acknowledged by its last event: one acknowledgement
      // a batch instead of one an event.
      ack_policy: AckPolicy.All,
      ...(startSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq } : { deliver_policy: DeliverPolicy.All }),
      // Twin and relationship events are `<prefix>.<entity>.<change>`; telemetry is `<prefix>.telemetry`.
      // (One filter subject: several need NATS 2.10.)
      ...(this.config.HISTORY_TELEMETRY ? {} : { filter_subject: `${prefix}.*.*` }),
      ack_wait: this.config.HISTORY_ACK_WAIT_MS * 1_000_000,
      max_ack_pending: this.config.HISTORY_BATCH_SIZE,
    };
  }

  /**
   * The consumer again, starting right after its acknowledgement floor: everything not known to
   * be stored comes again, in stream order, before anything newer. (A consumer that has
   * unacknowledged deliveries — a writer that died, a delivery lost in a reconnect — would hand
   * out newer events before their redelivery.) Stored ones among them change nothing.
   */
  private async restartConsumer(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.consumers.info(this.config.EVENTS_STREAM, this.config.HISTORY_CONSUMER).catch(() => undefined);
    const start = (info?.ack_floor.stream_seq ?? 0) + 1;
    if (info) await jsm.consumers.delete(this.config.EVENTS_STREAM, this.config.HISTORY_CONSUMER);
    await jsm.consumers.add(this.config.EVENTS_STREAM, this.consumerConfig(start));
    // Worth a line at info only when something is redelivered; a start with nothing pending is routine.
    const unacknowledged = info?.num_ack_pending ?? 0;
    this.logger[unacknowledged > 0 ? 'info' : 'debug']({ startSeq: start, unacknowledged }, 'history ingest: consuming from the acknowledgement floor');
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.messages?.close();
    await this.leaseLoop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (await this.acquireLease()) await this.ingest();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'history ingest interrupted; retrying');
      } finally {
        await this.releaseLease();
      }
      if (!this.stopping) await sleep(1000);
    }
  }

  private async acquireLease(): Promise<boolean> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'history-ingest-lease' });
    client.on('error', () => {
      this.leader = false;
      this.wake?.();
    });
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`history-ingest:${this.config.EVENTS_STREAM}`]);
    if (!rows[0].locked) {
      await client.end();
      return false;
    }
    this.lease = client;
    this.leader = true;
    // Taking over from another replica is news; the first writer of a start is not.
    this.logger[this.tookLeadBefore ? 'info' : 'debug']('history ingest: this replica writes history');
    this.tookLeadBefore = true;
    return true;
  }

  private async releaseLease(): Promise<void> {
    this.leader = false;
    await this.messages?.close().catch(() => undefined);
    this.messages = undefined;
    this.held.splice(0);
    await this.lease?.end().catch(() => undefined);
    this.lease = undefined;
  }

  private async ingest(): Promise<void> {
    await this.origin.ensure();
    while (this.leader && !this.stopping) {
      await this.restartConsumer();
      const consumer = await jetstream(this.nc).consumers.get(this.config.EVENTS_STREAM, this.config.HISTORY_CONSUMER);
      this.gap = false;
      this.lastDelivery = 0;
      const messages = await consumer.consume({ max_messages: this.config.HISTORY_BATCH_SIZE });
      this.messages = messages;
      const pump = (async () => {
        for await (const m of messages) {
          if (this.lastDelivery > 0 && m.info.deliverySequence !== this.lastDelivery + 1) this.gap = true;
          this.lastDelivery = m.info.deliverySequence;
          this.held.push(m);
          this.wake?.();
        }
      })().finally(() => {
        // The subscription ended under us (the consumer went away): start again.
        this.gap = true;
        this.wake?.();
      });
      await this.processUntilGap();
      await messages.close().catch(() => undefined);
      await pump.catch(() => undefined);
      this.held.splice(0);
      if (this.gap && this.leader && !this.stopping) this.logger.warn('history ingest: a delivery went missing (reconnect); consuming again from the acknowledgement floor');
    }
  }

  private async processUntilGap(): Promise<void> {
    while (this.leader && !this.stopping && !this.gap) {
      if (this.held.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          this.wake = () => {
            clearTimeout(timer);
            this.wake = undefined;
            resolve();
          };
        });
        continue;
      }
      await this.gatherBurst();
      const batch = this.held.splice(0).sort((a, b) => a.seq - b.seq);
      if (this.gap) {
        this.held.unshift(...batch);
        return;
      }
      const events: DigitalTwinsEvent[] = [];
      for (const m of batch) {
        try {
          events.push(m.json<DigitalTwinsEvent>());
        } catch {
          this.logger.error({ seq: m.seq }, 'undecodable event skipped');
        }
      }
      await this.storeWithRetry(batch, events);
      // Acknowledges every delivery up to the batch's last (all stored: deliveries come in stream order).
      await batch[batch.length - 1].ackAck().catch(() => false);
      this.logger.debug({ events: batch.length, lastSeq: batch[batch.length - 1].seq }, 'history batch stored');
      if (Date.now() - this.lastRefresh >= 50) {
        this.lastRefresh = Date.now();
        await this.watermark.refresh();
      }
    }
  }

  /**
   * Lets the rest of a burst arrive, so that one transaction (and one acknowledgement) carries many
   * events: until the batch is full, HISTORY_BATCH_DELAY_MS have passed, or nothing has arrived for
   * HISTORY_BATCH_QUIET_MS — a lone change waits only that long, a steady stream goes in large batches.
   */
  private async gatherBurst(): Promise<void> {
    const { HISTORY_BATCH_SIZE: size, HISTORY_BATCH_DELAY_MS: delay, HISTORY_BATCH_QUIET_MS: quiet } = this.config;
    const deadline = Date.now() + delay;
    for (let seen = -1; this.held.length < size && this.held.length !== seen && !this.gap;) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      seen = this.held.length;
      await sleep(Math.min(quiet, left));
    }
  }

  /** A failed write (Postgres away) is retried with the same batch, which stays ours meanwhile. */
  private async storeWithRetry(batch: JsMsg[], events: DigitalTwinsEvent[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.writer.store(events);
        return;
      } catch (err) {
        if (!this.leader || this.stopping) throw err;
        this.logger.warn({ err: (err as Error).message, attempt }, 'history batch not stored; retrying');
        for (const m of batch) m.working();
        await sleep(Math.min(200 * 2 ** attempt, 5000));
      }
    }
  }

  get isLeader(): boolean {
    return this.leader;
  }
}
