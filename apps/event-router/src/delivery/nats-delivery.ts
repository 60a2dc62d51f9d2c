import type { DigitalTwinsEvent } from '@odt/contracts';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { publishBatcher } from '@odt/messaging';
import type { DeliveryTarget } from './delivery-target';

/** How long the answer to "does a stream capture this subject?" is trusted. */
const STREAM_LOOKUP_TTL_MS = 5000;

/**
 * Delivers to a `nats` endpoint: through JetStream when a stream captures the subject (acknowledged,
 * and deduplicated by the CloudEvent id, so a redelivery after a crash is harmless), else as a core
 * NATS message to whoever subscribes, done once the server has it (a PING/PONG after it).
 * Deliveries go out with the connection's other publishes of the same turn (`PublishBatcher`), and
 * core NATS deliveries of one turn share one round trip.
 */
export class NatsDelivery {
  private readonly js: JetStreamClient;
  private jsm?: JetStreamManager;
  private readonly streams = new Map<string, { captured: boolean; at: number }>();
  private flushing?: Promise<void>;

  constructor(private readonly nc: NatsConnection) {
    this.js = jetstream(nc);
  }

  async deliver(target: DeliveryTarget, event: DigitalTwinsEvent, raw: Uint8Array): Promise<void> {
    const subject = target.endpoint.subject!;
    const batcher = publishBatcher(this.nc);
    if (await this.captured(subject)) {
      await new Promise<void>((resolve, reject) => {
        batcher.later(() => void this.js.publish(subject, raw, { msgID: event.id, timeout: 5000 }).then(() => resolve(), reject), reject);
      });
      return;
    }
    await new Promise<void>((resolve, reject) => {
      batcher.publish(subject, raw, undefined, reject);
      // Queued after the batch: the PING follows the turn's messages.
      this.flushed().then(resolve, reject);
    });
  }

  /** One round trip for every core delivery of this turn, once the batch is out. */
  private flushed(): Promise<void> {
    this.flushing ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        // From here on, a delivery's message goes in a later batch, so it waits for a later flush.
        this.flushing = undefined;
        this.nc.flush().then(resolve, reject);
      });
    });
    return this.flushing;
  }

  private async captured(subject: string): Promise<boolean> {
    const known = this.streams.get(subject);
    if (known && Date.now() - known.at < STREAM_LOOKUP_TTL_MS) return known.captured;
    this.jsm ??= await jetstreamManager(this.nc);
    const captured = await this.jsm.streams.find(subject).then(() => true, () => false);
    this.streams.set(subject, { captured, at: Date.now() });
    return captured;
  }
}
