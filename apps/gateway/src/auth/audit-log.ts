import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION, publishBatcher } from '@odt/messaging';
import { ROOT_LOGGER } from '@odt/service-kit';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { matchesAudit, type AuditQuery } from './audit-query';

/** One audited request: who did what, when, and how it ended. */
export interface AuditEntry {
  time: string;
  requestId: string;
  caller: { type: string; id: string };
  /** The data action the operation needs (absent when the request failed before routing). */
  action?: string;
  method: string;
  path: string;
  status: number;
  outcome: 'succeeded' | 'denied' | 'failed';
  /** Position in the audit stream (listing only). */
  sequence?: number;
}

const DAY_NS = 24 * 3600 * 1_000_000_000;
/** Entries read per window when listing newest first. */
const DESC_WINDOW = 500;
/** Gateway replicas' clocks differ a little from NATS's: time bounds are widened by this, entries filtered exactly. */
const CLOCK_SLACK_MS = 60_000;

/**
 * The audit log of every write (and every refused call): a JSON log line at `info` with
 * `audit: true`, and a durable entry in the JetStream stream `<EVENTS_STREAM>_AUDIT`, listed by
 * `GET /audit` (newest first, filtered). Recording never fails or delays the request it describes.
 */
@Injectable()
export class AuditLog implements OnApplicationBootstrap {
  readonly stream: string;
  private readonly subject: string;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.stream = `${config.EVENTS_STREAM}_AUDIT`;
    this.subject = `${config.EVENTS_SUBJECT_PREFIX}-audit.entries`;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.AUDIT_STREAM) return;
    const jsm = await jetstreamManager(this.nc);
    await jsm.streams.info(this.stream).catch(() =>
      jsm.streams.add({
        name: this.stream, subjects: [this.subject], retention: RetentionPolicy.Limits, storage: StorageType.File,
        max_age: this.config.AUDIT_RETENTION_DAYS * DAY_NS, allow_direct: true, num_replicas: this.config.EVENTS_STREAM_REPLICAS,
      }).catch(() => jsm.streams.info(this.stream)));
  }

  record(entry: AuditEntry): void {
    this.logger.info({ audit: true, ...entry }, 'audit');
    if (!this.config.AUDIT_STREAM) return;
    // A plain publish the stream captures: no acknowledgement round trip per write on the hot path.
    // What NATS receives is stored; an entry sent while NATS is unreachable is only in this log.
    publishBatcher(this.nc).publish(this.subject, JSON.stringify(entry), undefined, (err) => {
      this.logger.error({ err: err.message, requestId: entry.requestId }, 'audit entry not stored in JetStream (it is in this log)');
    });
  }

  /**
   * One page of entries that pass the query's filters, newest first (or oldest first), reading at
   * most `scanLimit` entries of the stream. `next` is where the following page starts when more
   * may follow (the page was full, or the scan stopped at its limit).
   */
  async list(q: AuditQuery, limit: number, scanLimit: number): Promise<{ value: AuditEntry[]; next?: number }> {
    if (!this.config.AUDIT_STREAM) return { value: [] };
    const jsm = await jetstreamManager(this.nc);
    const { state } = await jsm.streams.info(this.stream);
    if (state.messages === 0) return { value: [] };
    const value: AuditEntry[] = [];
    let scanned = 0;
    const take = (msg: { seq: number; json: <T>() => T }): boolean => {
      scanned++;
      const entry = { ...msg.json<AuditEntry>(), sequence: msg.seq };
      if (matchesAudit(entry, q)) value.push(entry);
      return value.length < limit && scanned < scanLimit;
    };

    if (q.order === 'asc') {
      let lower = Math.max(state.first_seq, (q.after ?? 0) + 1);
      if (q.from !== undefined) lower = Math.max(lower, await this.firstAt(q.from - CLOCK_SLACK_MS, state.last_seq));
      let last = lower - 1;
      for await (const msg of this.read(lower, state.last_seq)) {
        last = msg.seq;
        // Entries are stored as they come, so past `to` (and the replicas' clock slack) nothing more can match.
        if (q.to !== undefined && msg.time.getTime() > q.to + CLOCK_SLACK_MS) return { value };
        if (!take(msg)) break;
      }
      return { value, ...(last < state.last_seq ? { next: last } : {}) };
    }

    let upper = Math.min(state.last_seq, (q.after ?? state.last_seq + 1) - 1);
    if (q.to !== undefined) upper = Math.min(upper, (await this.firstAt(q.to + CLOCK_SLACK_MS, state.last_seq + 1)) - 1);
    while (upper >= state.first_seq) {
      const lower = Math.max(state.first_seq, upper - DESC_WINDOW + 1);
      const window: StoredEntry[] = [];
      for await (const msg of this.read(lower, upper)) window.push(msg);
      for (const msg of window.reverse()) {
        upper = msg.seq - 1;
        if (q.from !== undefined && msg.time.getTime() < q.from - CLOCK_SLACK_MS) return { value };
        if (!take(msg)) return { value, ...(upper >= state.first_seq ? { next: msg.seq } : {}) };
      }
      upper = lower - 1;
    }
    return { value };
  }

  /** The stream's entries from `first` to `last` (inclusive), oldest first, through an ordered consumer. */
  private async *read(first: number, last: number): AsyncGenerator<StoredEntry> {
    if (first > last) return;
    const consumer = await jetstream(this.nc).consumers.get(this.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: first });
    const messages = await consumer.consume({ max_messages: Math.min(DESC_WINDOW, last - first + 1) });
    try {
      for await (const msg of messages) {
        if (msg.seq > last) break;
        yield { seq: msg.seq, time: new Date(msg.info.timestampNanos / 1_000_000), json: <T>() => msg.json<T>() };
        if (msg.seq >= last || msg.info.pending === 0) break;
      }
    } finally {
      await messages.close();
    }
  }

  /** The position of the first entry stored at or after `time` (`none` when there is none). */
  private async firstAt(time: number, none: number): Promise<number> {
    const jsm = await jetstreamManager(this.nc);
    const { state } = await jsm.streams.info(this.stream);
    const newest = await jsm.streams.getMessage(this.stream, { seq: state.last_seq }).catch(() => null);
    if (!newest || newest.time.getTime() < time) return none;
    const consumer = await jetstream(this.nc).consumers.get(this.stream, { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Math.max(0, time)).toISOString() });
    const messages = await consumer.consume({ max_messages: 1 });
    try {
      for await (const msg of messages) return msg.seq;
    } finally {
      await messages.close();
    }
    return none;
  }
}

interface StoredEntry {
  seq: number;
  time: Date;
  json<T>(): T;
}
