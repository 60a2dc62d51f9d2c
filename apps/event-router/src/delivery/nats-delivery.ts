import type { DigitalTwinsEvent } from '@odt/contracts';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DeliveryTarget } from './delivery-target';

/** How long the answer to "does a stream capture this subject?" is trusted. */
const STREAM_LOOKUP_TTL_MS = 5000;

interface Outgoing {
  subject: string;
  raw: Uint8Array;
  /** The event id, for JetStream's de-duplication; absent for a core NATS publish. */
  msgID?: string;
  done: { resolve(): void; reject(err: unknown): void };
}

/**
 * Delivers to a `nats` endpoint: through JetStream when a stream captures the subject (acknowledged,
 * and deduplicated by the CloudEvent id, so a redelivery after a crash is harmless), else as a core
 * NATS message to whoever subscribes, done once the server has it (a PING/PONG after it).
 * Deliveries made in the same turn of the event loop go out together: one socket write and, for
 * core NATS, one round trip for all of them.
 */
export class NatsDelivery {
  private readonly js: JetStreamClient;
  private jsm?: JetStreamManager;
  private readonly streams = new Map<string, { captured: boolean; at: number }>();
  private outgoing: Outgoing[] = [];

  constructor(private readonly nc: NatsConnection) {
    this.js = jetstream(nc);
  }

  async deliver(target: DeliveryTarget, event: DigitalTwinsEvent, raw: Uint8Array): Promise<void> {
    const subject = target.endpoint.subject!;
    const captured = await this.captured(subject);
    await new Promise<void>((resolve, reject) => {
      if (this.outgoing.push({ subject, raw, msgID: captured ? event.id : undefined, done: { resolve, reject } }) === 1) setImmediate(() => this.send());
    });
  }

  private send(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    const core: Outgoing[] = [];
    for (const out of batch) {
      if (out.msgID === undefined) {
        this.nc.publish(out.subject, out.raw);
        core.push(out);
      } else {
        this.js.publish(out.subject, out.raw, { msgID: out.msgID, timeout: 5000 }).then(() => out.done.resolve(), (err: unknown) => out.done.reject(err));
      }
    }
    if (core.length > 0) {
      this.nc.flush().then(() => core.forEach((out) => out.done.resolve()), (err: unknown) => core.forEach((out) => out.done.reject(err)));
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
