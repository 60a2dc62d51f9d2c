import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { DomainError, watermarkBucket, type OutboxWatermark } from '@odt/contracts';
import { instantMs } from '@odt/history-domain';
import { NATS_CONNECTION } from '@odt/messaging';
import { Metrics, ROOT_LOGGER } from '@odt/service-kit';
import type { Logger } from 'pino';
import { HISTORY_CONFIG, type HistoryConfig } from '../config';

interface Announcement {
  watermark: OutboxWatermark;
  /** Order of arrival, to tell which ones came before an idle check. */
  arrival: number;
}

/**
 * The time up to which history is complete. Each outbox relay announces "every event of mine
 * earlier than W is in the stream at or below sequence S"; once every event of the history
 * consumer at or below S is stored, W holds for history too. History's watermark is the least W
 * of the sources (`HISTORY_SOURCES`); until each has announced, nothing is complete.
 */
@Injectable()
export class HistoryWatermark implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly queues = new Map<string, Announcement[]>();
  private readonly reached = new Map<string, string>();
  private readonly sources: string[];
  private arrivals = 0;
  /** Every event of the consumer at or below this stream sequence is stored. */
  private storedThrough = 0;
  /** Announcements up to this arrival are covered: the consumer had nothing pending after them. */
  private idleThrough = 0;
  private watermark?: string;
  private waiters = new Set<() => void>();
  private watch?: Awaited<ReturnType<KV['watch']>>;
  private timer?: NodeJS.Timeout;
  private jsm?: JetStreamManager;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(HISTORY_CONFIG) private readonly config: HistoryConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.sources = config.HISTORY_SOURCES.split(',');
    metrics.gauge('history_watermark_lag_seconds', 'Now minus the time up to which history is complete (absent until every source has announced).', [], (gauge) => {
      const lag = this.lagSeconds();
      if (lag !== undefined) gauge.set(lag);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const kv = await new Kvm(this.nc).create(watermarkBucket(this.config.EVENTS_STREAM), { history: 1, replicas: this.config.EVENTS_STREAM_REPLICAS });
    this.watch = await kv.watch();
    void (async () => {
      for await (const entry of this.watch!) {
        if (entry.operation !== 'PUT') continue;
        try {
          const watermark = entry.json<OutboxWatermark>();
          const queue = this.queues.get(entry.key) ?? [];
          queue.push({ watermark, arrival: ++this.arrivals });
          this.queues.set(entry.key, queue);
          this.advance();
        } catch (err) {
          this.logger.warn({ err: (err as Error).message, key: entry.key }, 'unreadable watermark');
        }
      }
    })();
    this.timer = setInterval(() => void this.poll(), 200);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.watch?.stop();
    for (const wake of this.waiters) wake();
  }

  /** After a batch is stored and acknowledged: read the consumer's floor now rather than at the next tick. */
  refresh(): Promise<void> {
    return this.poll();
  }

  current(): string | undefined {
    return this.watermark;
  }

  lagSeconds(): number | undefined {
    return this.watermark === undefined ? undefined : Math.max(0, (Date.now() - instantMs(this.watermark)) / 1000);
  }

  details(): Record<string, unknown> {
    return { watermark: this.watermark ?? null, lagSeconds: this.lagSeconds() ?? null, storedThroughSeq: this.storedThrough, sources: Object.fromEntries(this.reached) };
  }

  /**
   * Resolves once history is complete past `at` (every event at or before it stored); waits up to
   * HISTORY_ASOF_WAIT_MS, then fails with HistoryIncomplete (503) rather than answer incompletely.
   */
  async waitPast(at: string): Promise<void> {
    const deadline = Date.now() + this.config.HISTORY_ASOF_WAIT_MS;
    while (!(this.watermark !== undefined && at < this.watermark)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new DomainError('HistoryIncomplete', this.watermark === undefined
          ? 'History is not complete up to any moment yet (a source has not reported); retry shortly.'
          : `History is complete up to ${this.watermark}; ${at} is later. Retry shortly.`,
        [{ code: 'HistoryWatermark', message: this.watermark ?? 'none', target: 'asOf' }]);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /**
   * The consumer's acknowledgement floor (every event at or below it acknowledged, hence stored:
   * events are acknowledged after their commit), and whether it has nothing left. Every replica
   * reads the same.
   */
  private async poll(): Promise<void> {
    try {
      const mark = this.arrivals;
      this.jsm ??= await jetstreamManager(this.nc);
      const info = await this.jsm.consumers.info(this.config.EVENTS_STREAM, this.config.HISTORY_CONSUMER);
      if (info.num_pending === 0 && info.num_ack_pending === 0) this.idleThrough = Math.max(this.idleThrough, mark);
      this.storedThrough = Math.max(this.storedThrough, info.ack_floor.stream_seq);
      this.advance();
    } catch {
      // No consumer yet, or NATS away: the watermark stays where it is.
    }
  }

  private advance(): void {
    for (const [source, queue] of this.queues) {
      while (queue.length > 0 && (queue[0].watermark.seq <= this.storedThrough || queue[0].arrival <= this.idleThrough)) {
        const { time } = queue.shift()!.watermark;
        if (time > (this.reached.get(source) ?? '')) this.reached.set(source, time);
      }
    }
    const times = this.sources.map((s) => this.reached.get(s));
    const next = times.some((t) => t === undefined) ? undefined : (times as string[]).reduce((a, b) => (a < b ? a : b));
    if (next !== undefined && next !== this.watermark) {
      this.watermark = next;
      for (const wake of [...this.waiters]) wake();
    }
  }
}
