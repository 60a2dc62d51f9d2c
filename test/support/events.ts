import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DigitalTwinsEvent } from '@odt/contracts';

/** Reads every message of a stream from the start (an ephemeral ordered consumer). */
export async function readStream(nc: NatsConnection, stream: string, expected: number, timeoutMs = 30_000): Promise<DigitalTwinsEvent[]> {
  const consumer = await jetstream(nc).consumers.get(stream);
  const events: DigitalTwinsEvent[] = [];
  const messages = await consumer.consume();
  const timer = setTimeout(() => void messages.close(), timeoutMs);
  const quiet = () => setTimeout(() => void messages.close(), 1500);
  let settle: NodeJS.Timeout | undefined;
  for await (const m of messages) {
    events.push(m.json<DigitalTwinsEvent>());
    if (events.length >= expected) {
      // Keep listening briefly: a duplicate past the expected count must be seen, not missed.
      clearTimeout(settle);
      settle = quiet();
    }
  }
  clearTimeout(timer);
  clearTimeout(settle);
  return events;
}

export async function streamCount(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await jetstream(nc).jetstreamManager();
  return (await jsm.streams.info(stream)).state.messages;
}

/** Groups event ids by twin (the CloudEvent subject) in stream order. */
export function idsByTwin(events: DigitalTwinsEvent[]): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const e of events) by.set(e.subject ?? '', [...(by.get(e.subject ?? '') ?? []), e.id]);
  return by;
}
