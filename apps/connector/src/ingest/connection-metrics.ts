import { Injectable } from '@nestjs/common';
import { Metrics } from '@odt/service-kit';
import type { Counter, Histogram } from 'prom-client';

/** Per connection: received, applied, failed (by stage), and how long a message took to be applied. */
@Injectable()
export class ConnectionMetrics {
  readonly received: Counter<'connection'>;
  readonly applied: Counter<'connection'>;
  readonly failed: Counter<'connection' | 'stage'>;
  readonly lag: Histogram<'connection'>;
  readonly retries: Counter<'connection'>;

  constructor(readonly metrics: Metrics) {
    this.received = metrics.counter('connector_messages_received_total', 'Messages received from the connection\'s source (HTTP included).', ['connection']);
    this.applied = metrics.counter('connector_messages_applied_total', 'Messages whose operations were all applied.', ['connection']);
    this.failed = metrics.counter('connector_messages_failed_total', 'Messages dead-lettered, by stage (decode, map, apply).', ['connection', 'stage']);
    this.retries = metrics.counter('connector_batch_retries_total', 'Batches tried again because the twins service was out of reach.', ['connection']);
    this.lag = metrics.histogram('connector_apply_lag_seconds', 'From a message\'s receipt to its changes being committed.', ['connection'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10, 30, 60]);
  }
}
