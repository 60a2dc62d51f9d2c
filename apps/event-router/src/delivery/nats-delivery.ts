import type { DigitalTwinsEvent } from '@odt/contracts';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DeliveryTarget } from './delivery-target';

/** How long the answer to "does a stream capture this subject?" is trusted. */
const STREAM_LOOKUP_TTL_MS = 5000;

/**
 * Delivers to a `nats` endpoint: through JetStream when a stream captures the subject (acknowledged,
 * and deduplicated by the CloudEvent id, so a redelivery after a crash is harmless), else as a core
 * NATS message to whoever subscribes.
 */
export class NatsDelivery {
  private readonly js: JetStreamClient;
  private jsm?: JetStreamManager;
  private readonly streams = new Map<string, { captured: boolean; at: number }>();

  constructor(private readonly nc: NatsConnection) {
    this.js = jetstream(nc);
  }

  async deliver(target: DeliveryTarget, event: DigitalTwinsEvent, raw: Uint8Array): Promise<void> {
    const subject = target.endpoint.subject!;
    if (await this.captured(subject)) {
      await this.js.publish(subject, raw, { msgID: event.id, timeout: 5000 });
    } else {
      this.nc.publish(subject, raw);
      await this.nc.flush();
    }
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
