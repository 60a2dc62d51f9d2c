import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TypedEvent } from './events';

export interface SubscriptionOptions {
  nc: NatsConnection;
  /** A JetStream stream capturing the `nats` endpoint's subject (created if missing). */
  stream: string;
  subject: string;
  /** Durable consumer name: the subscription resumes where it stopped, across restarts. */
  durable: string;
}

export interface EventSubscription {
  stop(): Promise<void>;
}

/**
 * A durable pull subscription to a `nats` endpoint. Each event is acknowledged only after `handle`
 * resolves; a rejection redelivers it later (with backoff). Delivery is at least once, with the
 * same CloudEvent `id` every time: make `handle` idempotent (see `processOnce`).
 */
export async function subscribeToEndpoint(options: SubscriptionOptions, handle: (event: TypedEvent) => Promise<void>): Promise<EventSubscription> {
  const { nc, stream, subject, durable } = options;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.info(stream).catch(() => jsm.streams.add({ name: stream, subjects: [subject] }));
  await jsm.consumers.info(stream, durable).catch(() =>
    jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: subject }));
  const messages: ConsumerMessages = await (await jetstream(nc).consumers.get(stream, durable)).consume();
  const loop = (async () => {
    for await (const msg of messages) {
      try {
        await handle(msg.json<TypedEvent>());
        msg.ack();
      } catch {
        msg.nak(Math.min(30_000, 500 * 2 ** Math.min(msg.info.deliveryCount, 6)));
      }
    }
  })();
  return {
    async stop() {
      await messages.close();
      await loop;
    },
  };
}
