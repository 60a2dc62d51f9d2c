import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ConnectionEnvelope } from '@odt/contracts';
import { foreignKeyViolation } from '@odt/service-kit';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config';
import type { RunnableConnection } from '../connections/connections.repository';
import type { ConnectionsRepository } from '../connections/connections.repository';
import { ConnectionMapping } from '../mapping/connection-mapping';
import { TransientFailure, type ConnectionApplier, type Outcome } from './connection-applier';
import type { ConnectionMetrics } from './connection-metrics';
import type { IngestStream } from './ingest-stream';
import { startAmqpSource } from './sources/amqp-source';
import { startMqttSource } from './sources/mqtt-source';
import { startNatsSource } from './sources/nats-source';
import { pause, type RunningSource, type SourceContext } from './sources/source';

export interface RunnerDeps {
  config: ConnectorConfig;
  nc: NatsConnection;
  ingest: IngestStream;
  applier: ConnectionApplier;
  repo: ConnectionsRepository;
  metrics: ConnectionMetrics;
  logger: Logger;
}

/**
 * One connection on the replica holding its lease: its source appends to the ingest stream, and
 * one loop takes what waits there, in order, in batches of up to `CONNECTION_BATCH_SIZE`, maps and
 * applies them (one batch at a time, so each twin's updates apply in arrival order), dead-letters
 * the messages that fail, and acknowledges the batch only after its changes committed. While the
 * twins service is away the same batch is tried again, and nothing more is taken (backpressure).
 */
export class ConnectionRunner {
  private stopped = false;
  private source?: RunningSource;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readonly buffer: JsMsg[] = [];
  private wake?: () => void;
  private readonly mapping: ConnectionMapping;

  constructor(readonly definition: RunnableConnection, private readonly deps: RunnerDeps) {
    const { config } = deps;
    this.mapping = new ConnectionMapping(definition.connection.mapping, { timeoutMs: config.MAPPING_TIMEOUT_MS, stack: 200, maxOperations: config.MAPPING_MAX_OPERATIONS });
  }

  get name(): string {
    return this.definition.connection.name;
  }

  get version(): number {
    return this.definition.version;
  }

  async start(): Promise<void> {
    const { ingest, config, nc, logger, metrics } = this.deps;
    const consumer = await ingest.takeOver(this.name);
    this.messages = await consumer.consume({ max_messages: Math.min(config.CONNECTION_MAX_IN_FLIGHT, 1000) });
    void (async () => {
      for await (const m of this.messages!) {
        this.buffer.push(m);
        this.wake?.();
      }
    })().catch((err: unknown) => logger.warn({ connection: this.name, err: (err as Error).message }, 'ingest consumer ended'));
    this.loop = this.run();
    const ctx: SourceContext = {
      connection: this.name,
      installation: config.EVENTS_STREAM,
      secret: this.definition.secret,
      append: (envelope, msgId) => ingest.append(this.name, envelope, msgId),
      logger,
      received: () => metrics.received.inc({ connection: this.name }),
    };
    const source = this.definition.connection.source;
    if (source.type === 'mqtt') this.source = startMqttSource(source, ctx, { sessionExpirySeconds: config.MQTT_SESSION_EXPIRY_S, receiveMaximum: Math.min(config.CONNECTION_MAX_IN_FLIGHT, 65_535) });
    else if (source.type === 'amqp') this.source = startAmqpSource(source, ctx, { prefetch: config.AMQP_PREFETCH });
    else if (source.type === 'nats') this.source = startNatsSource(source, ctx, nc);
    logger.info({ connection: this.name, source: source.type, version: this.version }, 'connection started');
  }

  /** Stops the source, then finishes the batch in hand; what is not acknowledged goes to the next owner. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.source?.stop();
    this.wake?.();
    await this.loop;
    await this.messages?.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.buffer.length === 0) {
        await new Promise<void>((resolve) => { this.wake = resolve; setTimeout(resolve, 500); });
        this.wake = undefined;
        continue;
      }
      const batch = this.buffer.splice(0, this.deps.config.CONNECTION_BATCH_SIZE);
      await this.process(batch);
    }
  }

  private async process(batch: JsMsg[]): Promise<void> {
    const { applier, metrics, logger } = this.deps;
    const decoded = batch.map((m) => {
      try {
        return { msg: m, envelope: m.json<ConnectionEnvelope>() };
      } catch {
        return { msg: m, envelope: { topic: m.subject, headers: {}, payload: m.string(), receivedAt: new Date().toISOString() } as ConnectionEnvelope, broken: true };
      }
    });
    const readable = decoded.filter((d) => !d.broken);
    const incoming = readable.map((d) => ({ envelope: d.envelope, key: String(d.msg.seq) }));
    let applied: Outcome[] | undefined;
    for (let delay = 200; !applied; delay = Math.min(delay * 2, 5000)) {
      try {
        applied = await applier.apply(this.name, this.mapping, incoming);
      } catch (err) {
        if (!(err instanceof TransientFailure)) logger.error({ connection: this.name, err: (err as Error).message }, 'applying a batch failed unexpectedly; retrying');
        else logger.warn({ connection: this.name, err: err.message }, 'twins service out of reach; retrying the batch');
        metrics.retries.inc({ connection: this.name });
        for (const m of batch) m.working();
        await pause(delay, () => this.stopped);
        // Stopping: leave the batch unacknowledged for the next owner.
        if (this.stopped) return;
      }
    }
    // What was not a JSON envelope (not written by a source) is kept as it came, for inspection.
    let next = 0;
    const outcomes: Outcome[] = decoded.map((d) => (d.broken
      ? { ok: false, stage: 'decode', code: 'InvalidArgument', reason: 'The ingest message is not a JSON envelope.' }
      : applied![next++]));
    const committed = Date.now();
    for (const [i, outcome] of outcomes.entries()) {
      const { envelope } = decoded[i];
      if (outcome.ok) {
        metrics.applied.inc({ connection: this.name });
        const received = Date.parse(envelope.receivedAt);
        if (!Number.isNaN(received)) metrics.lag.observe({ connection: this.name }, Math.max(0, committed - received) / 1000);
      } else {
        await this.deadLetter(envelope, outcome);
      }
    }
    for (const m of batch) m.ack();
  }

  private async deadLetter(envelope: ConnectionEnvelope, failure: Extract<Outcome, { ok: false }>): Promise<void> {
    const { repo, metrics, logger } = this.deps;
    for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
      try {
        await repo.addDeadLetter(this.name, { stage: failure.stage, code: failure.code, reason: failure.reason, position: failure.position, envelope });
        break;
      } catch (err) {
        // The connection was deleted meanwhile: its dead letters went with it.
        if (foreignKeyViolation(err)) return;
        logger.warn({ connection: this.name, err: (err as Error).message }, 'dead-lettering failed; retrying');
        await pause(delay, () => false);
      }
    }
    metrics.failed.inc({ connection: this.name, stage: failure.stage });
    logger.warn({ connection: this.name, stage: failure.stage, code: failure.code, reason: failure.reason }, 'message dead-lettered');
  }
}
