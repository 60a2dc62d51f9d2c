import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION, publishBatcher } from '@odt/messaging';
import { ROOT_LOGGER } from '@odt/service-kit';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

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

/**
 * The audit log of every write (and every refused call): a JSON log line at `info` with
 * `audit: true`, and a durable entry in the JetStream stream `<EVENTS_STREAM>_AUDIT`, listed by
 * `GET /audit`. Recording never fails or delays the request it describes.
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

  /** Entries from `after` (a stream sequence) on, oldest first. */
  async list(after: number, limit: number): Promise<AuditEntry[]> {
    if (!this.config.AUDIT_STREAM) return [];
    const jsm = await jetstreamManager(this.nc);
    const out: AuditEntry[] = [];
    let next = after + 1;
    while (out.length < limit) {
      const msg = await jsm.direct.getMessage(this.stream, { next_by_subj: this.subject, seq: next }).catch(() => null);
      if (!msg) break;
      out.push({ ...msg.json<AuditEntry>(), sequence: msg.seq });
      next = msg.seq + 1;
    }
    return out;
  }
}
