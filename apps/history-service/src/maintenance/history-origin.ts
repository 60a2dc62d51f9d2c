import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '@odt/messaging';
import { ROOT_LOGGER } from '@odt/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { HISTORY_CONFIG, type HistoryConfig } from '../config';
import { dayStart } from './partitions';

/** Out-of-order margin before the stream's first event: a transaction open longer than this is not expected. */
const FIRST_EVENT_MARGIN_MS = 3_600_000;

/**
 * Where history begins: an empty checkpoint at the day before the stream's first event (nothing
 * existed before it), written once, at the first start. History that starts on a stream whose
 * first events were already dropped (`first_seq > 1`) does not know the twins untouched since:
 * that is logged, and docs/history.md says to deploy history with the installation.
 */
@Injectable()
export class HistoryOrigin {
  private known = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(HISTORY_CONFIG) private readonly config: HistoryConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async ensure(): Promise<void> {
    if (this.known) return;
    const existing = (await this.db.query('SELECT 1 FROM history.checkpoint_days LIMIT 1')) as unknown[];
    if (existing.length === 0) {
      const jsm = await jetstreamManager(this.nc);
      const { state } = await jsm.streams.info(this.config.EVENTS_STREAM);
      let first = Date.now();
      if (state.messages > 0) {
        const message = await jsm.streams.getMessage(this.config.EVENTS_STREAM, { seq: state.first_seq });
        first = message ? message.time.getTime() : first;
      }
      if (state.first_seq > 1) {
        this.logger.error({ firstSeq: state.first_seq }, 'history starts after the events stream dropped its first events: twins and relationships unchanged since are missing from it');
      }
      await this.db.query('INSERT INTO history.checkpoint_days (day, twins, relationships) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING', [
        new Date(dayStart(first - FIRST_EVENT_MARGIN_MS)).toISOString(),
      ]);
    }
    this.known = true;
  }
}
