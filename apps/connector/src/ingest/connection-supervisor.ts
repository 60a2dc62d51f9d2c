import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '@odt/messaging';
import { ROOT_LOGGER } from '@odt/service-kit';
import { AdvisoryLeases } from '@odt/service-runtime';
import type { Logger } from 'pino';
import { CONNECTOR_CONFIG, type ConnectorConfig } from '../config';
import { ConnectionsRepository } from '../connections/connections.repository';
import { ConnectionApplier } from './connection-applier';
import { ConnectionMetrics } from './connection-metrics';
import { ConnectionRunner } from './connection-runner';
import { IngestStream } from './ingest-stream';

/**
 * Runs the connections this replica holds the lease of (a Postgres session advisory lock per
 * connection, as the event router's endpoints): every `CONNECTION_REFRESH_MS` it takes free
 * connections up to its fair share, restarts those whose definition changed, and stops those
 * deleted or disabled. A crashed replica's leases die with its connection; another takes them.
 */
@Injectable()
export class ConnectionSupervisor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly ingest: IngestStream;
  private readonly runners = new Map<string, ConnectionRunner>();
  private readonly leases: AdvisoryLeases;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private restartAll = false;
  private stopping = false;

  constructor(
    private readonly repo: ConnectionsRepository,
    private readonly applier: ConnectionApplier,
    private readonly metrics: ConnectionMetrics,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONNECTOR_CONFIG) private readonly config: ConnectorConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.ingest = new IngestStream(nc, config.INGEST_STREAM ?? `${config.EVENTS_STREAM}_INGEST`, {
      maxMessages: config.INGEST_MAX_MESSAGES, maxMessageBytes: config.INGEST_MAX_MESSAGE_BYTES, maxInFlight: config.CONNECTION_MAX_IN_FLIGHT,
      replicas: config.EVENTS_STREAM_REPLICAS,
    });
    this.leases = new AdvisoryLeases(config.DATABASE_URL, 'odt-connector', config.EVENTS_STREAM, logger, () => {
      this.restartAll = true;
    });
    metrics.metrics.gauge('connector_pending_messages', 'Messages of a connection waiting in the ingest stream (its lag), on the replica running it.', ['connection'], async (gauge) => {
      gauge.reset();
      await Promise.all([...this.runners.keys()].map(async (name) => {
        const n = await this.ingest.pending(name);
        if (n !== undefined) gauge.set({ connection: name }, n);
      }));
    });
    metrics.metrics.gauge('connector_connections_running', 'Connections this replica runs.', [], (g) => g.set(this.runners.size));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ingest.ensure();
    void this.watchConnection();
    this.refreshing = this.refresh().catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'connections refresh failed')).finally(() => {
      this.refreshing = undefined;
    });
    this.timer = setInterval(() => {
      this.refreshing ??= this.refresh().catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'connections refresh failed')).finally(() => {
        this.refreshing = undefined;
      });
    }, this.config.CONNECTION_REFRESH_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.refreshing;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
    await this.leases.close();
  }

  /** A NATS reconnect may have lost deliveries of the ingest consumers: take them over again, in order. */
  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'reconnect') this.restartAll = true;
    }
  }

  private async refresh(): Promise<void> {
    if (this.stopping) return;
    if (this.restartAll) {
      this.restartAll = false;
      for (const [name, runner] of this.runners) {
        await runner.stop();
        this.runners.delete(name);
        await this.leases.release(name);
      }
    }
    const all = await this.repo.runnable();
    // http connections have a runner too: their messages come through the API into the ingest stream.
    const wanted = new Map(all.filter((c) => c.connection.enabled).map((c) => [c.connection.name, c]));
    for (const [name, runner] of this.runners) {
      const next = wanted.get(name);
      if (next && next.version === runner.version) continue;
      await runner.stop();
      this.runners.delete(name);
      if (!next) await this.leases.release(name);
    }
    const share = Math.ceil(wanted.size / (await this.leases.replicas()));
    for (const [name, definition] of wanted) {
      if (this.stopping) return;
      if (this.runners.has(name)) continue;
      if (!this.leases.owned.has(name) && this.runners.size >= share) continue;
      if (!(await this.leases.tryAcquire(name))) continue;
      const runner = new ConnectionRunner(definition, {
        config: this.config, nc: this.nc, ingest: this.ingest, applier: this.applier, repo: this.repo, metrics: this.metrics, logger: this.logger,
      });
      try {
        await runner.start();
        this.runners.set(name, runner);
      } catch (err) {
        this.logger.warn({ connection: name, err: (err as Error).message }, 'connection could not start; retrying');
        await runner.stop().catch(() => undefined);
        await this.leases.release(name);
      }
    }
  }
}
