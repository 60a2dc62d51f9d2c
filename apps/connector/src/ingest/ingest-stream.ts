import { AckPolicy, DeliverPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type Consumer, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { DomainError, type ConnectionEnvelope } from '@odt/contracts';

const TWO_MINUTES_NS = 120 * 1_000_000_000;

/**
 * Where every source appends what it receives (`<subjectRoot>.<connection>`), acknowledging its
 * broker only after JetStream has it; each connection's runner consumes its subject through its
 * durable consumer (`connection-<name>`). Work-queue retention: an acknowledged message is gone,
 * so the stream holds exactly what is not yet applied, and `discard: new` at `maxMessages`
 * refuses further publishes, which makes the sources stop acknowledging: backpressure.
 */
export class IngestStream {
  private readonly js: JetStreamClient;
  readonly subjectRoot: string;

  constructor(
    private readonly nc: NatsConnection,
    readonly stream: string,
    private readonly options: { maxMessages: number; maxMessageBytes: number; maxInFlight: number; replicas: number },
  ) {
    this.js = jetstream(nc);
    this.subjectRoot = `odt-ingest.${stream}`;
  }

  async ensure(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.streams.info(this.stream).catch(() =>
      jsm.streams.add({
        name: this.stream, subjects: [`${this.subjectRoot}.>`], retention: RetentionPolicy.Workqueue, storage: StorageType.File,
        discard: DiscardPolicy.New, max_msgs: this.options.maxMessages, max_msg_size: this.options.maxMessageBytes + 1024,
        duplicate_window: TWO_MINUTES_NS, num_replicas: this.options.replicas,
      }).catch(() => jsm.streams.info(this.stream)));
  }

  /** Resolves once JetStream stored it; `msgId` dedupes a source's redelivery within two minutes. */
  async append(connection: string, envelope: ConnectionEnvelope, msgId?: string): Promise<void> {
    const data = JSON.stringify(envelope);
    if (Buffer.byteLength(data) > this.options.maxMessageBytes) {
      throw new DomainError('PayloadTooLarge', `A message is limited to ${this.options.maxMessageBytes} bytes.`);
    }
    await this.js.publish(`${this.subjectRoot}.${connection}`, data, { timeout: 5000, ...(msgId ? { msgID: msgId } : {}) });
  }

  /**
   * The connection's consumer, made afresh for a new owner: what the previous owner received and
   * did not acknowledge is still in the stream (work queue), so starting over from the first
   * message keeps the order instead of waiting for redeliveries behind newer messages.
   */
  async takeOver(connection: string): Promise<Consumer> {
    const jsm = await jetstreamManager(this.nc);
    const durable = consumerName(connection);
    await jsm.consumers.delete(this.stream, durable).catch(() => undefined);
    await jsm.consumers.add(this.stream, {
      durable_name: durable, filter_subject: `${this.subjectRoot}.${connection}`, ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All, max_ack_pending: this.options.maxInFlight, ack_wait: 30 * 1_000_000_000, max_deliver: -1,
    });
    return this.js.consumers.get(this.stream, durable);
  }

  /** Messages waiting for the connection, received or not. */
  async pending(connection: string): Promise<number | undefined> {
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.consumers.info(this.stream, consumerName(connection)).catch(() => undefined);
    return info ? info.num_pending + info.num_ack_pending : undefined;
  }

  /** A deleted connection: its consumer and whatever still waits for it. */
  async remove(connection: string): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.consumers.delete(this.stream, consumerName(connection)).catch(() => undefined);
    await jsm.streams.purge(this.stream, { filter: `${this.subjectRoot}.${connection}` }).catch(() => undefined);
  }
}

export const consumerName = (connection: string) => `connection-${connection}`;
