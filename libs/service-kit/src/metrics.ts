import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets (seconds) for calls that normally take 1–100 ms. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus metrics: one registry per service (several share a process in tests),
 * with Node's own (event-loop lag, GC, heap, CPU) and what the service adds. Metrics are created
 * once by name; asking again returns the same one.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly byName = new Map<string, Counter | Gauge | Histogram>();

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets = LATENCY_BUCKETS): Histogram<L> {
    return this.once(name, () => new Histogram({ name, help, labelNames, buckets, registers: [this.registry] })) as Histogram<L>;
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.once(name, () => new Counter({ name, help, labelNames, registers: [this.registry] })) as Counter<L>;
  }

  /** A gauge; `collect` (if given) sets its value(s) when Prometheus scrapes. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
    return this.once(name, () => new Gauge<L>({
      name, help, labelNames, registers: [this.registry],
      ...(collect ? { async collect(this: Gauge<L>) { await collect(this); } } : {}),
    })) as Gauge<L>;
  }

  private once(name: string, create: () => Counter | Gauge | Histogram): Counter | Gauge | Histogram {
    let metric = this.byName.get(name);
    if (!metric) {
      metric = create();
      this.byName.set(name, metric);
    }
    return metric;
  }
}

/** `/metrics` in Prometheus text format, next to `/healthz` and `/readyz`, without authentication. */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
