import type { Metrics } from '@odt/service-kit';

export type DeliveryOutcome = 'delivered' | 'failed' | 'deadlettered' | 'abandoned';
export type CountDelivery = (endpoint: string, outcome: DeliveryOutcome) => void;

/** The router's delivery metrics (docs/operations.md); the KEDA trigger of the prod overlay queries them. */
export const DELIVERY_METRICS = {
  deliveries: 'event_deliveries_total',
  endpointBacklog: 'event_consumer_pending',
  backlog: 'event_router_backlog',
} as const;

/** One reading of the consumers serves every gauge of a scrape (prom-client collects them side by side). */
const READING_REUSE_MS = 1000;

/**
 * Deliveries by outcome, and what waits: per endpoint this replica delivers to, the events of its
 * consumer not yet delivered, and their sum over those endpoints, read from JetStream at each scrape.
 */
export class DeliveryMetrics {
  readonly count: CountDelivery;
  private reading?: { at: number; backlogs: Promise<Map<string, number>> };

  /** `backlogs`: per endpoint of this replica, the events waiting in its consumer. */
  constructor(metrics: Metrics, private readonly backlogs: () => Promise<Map<string, number>>) {
    const deliveries = metrics.counter(DELIVERY_METRICS.deliveries, 'Deliveries to endpoints by outcome: delivered, failed (to be retried), deadlettered, abandoned.', ['endpoint', 'outcome']);
    this.count = (endpoint, outcome) => deliveries.inc({ endpoint, outcome });
    metrics.gauge(DELIVERY_METRICS.endpointBacklog, 'Events of an endpoint\'s consumer not yet delivered (pending plus in flight): its lag.', ['endpoint'], async (gauge) => {
      const backlogs = await this.read();
      gauge.reset();
      for (const [endpoint, waiting] of backlogs) gauge.set({ endpoint }, waiting);
    });
    metrics.gauge(DELIVERY_METRICS.backlog, 'Events waiting in the consumers of the endpoints this replica delivers to (pending plus in flight), summed.', [], async (gauge) => {
      const backlogs = await this.read();
      gauge.set([...backlogs.values()].reduce((sum, waiting) => sum + waiting, 0));
    });
  }

  private read(): Promise<Map<string, number>> {
    const now = Date.now();
    if (!this.reading || now - this.reading.at > READING_REUSE_MS) this.reading = { at: now, backlogs: this.backlogs() };
    return this.reading.backlogs;
  }
}
