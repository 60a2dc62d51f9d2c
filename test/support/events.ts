import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { Client } from 'pg';
import { consumerName } from '../../apps/event-router/src/delivery/endpoint-consumer-plan';

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

/**
 * The twin events that committed, per twin in commit order: the twins service's outbox, whose
 * order per twin is commit order (a write holds the twin's row lock when it appends its event).
 */
export async function committedTwinEvents(databaseUrl: string): Promise<Map<string, string[]>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ event_id: string; twin: string }>(`SELECT event_id, payload->>'subject' AS twin FROM twins.outbox ORDER BY id`);
    const by = new Map<string, string[]>();
    for (const r of rows) by.set(r.twin, [...(by.get(r.twin) ?? []), r.event_id]);
    return by;
  } finally {
    await db.end();
  }
}

/** How an endpoint's deliveries compare with the committed events. */
export interface DeliveryCheck {
  committed: number;
  received: number;
  /** Committed event ids the endpoint never received. */
  missing: string[];
  /** Twins whose events, each counted at its first arrival, came in another order than committed. */
  outOfOrder: string[];
  /**
   * Arrivals that break a twin's sequence: after a twin's events were sent again from an earlier
   * point (a rewind, when a new router owner resumes from the acknowledgement floor), an event that
   * skips ahead instead of continuing that replay in order.
   */
  stale: string[];
  /** How many times a twin's events started again from an earlier one (allowed: in-order replays). */
  rewinds: number;
  /** Arrivals of an event already received (allowed: delivery is at least once). */
  duplicates: number;
}

/** Checks at-least-once delivery in per-twin commit order; `received` in arrival order. */
export function checkDelivery(committed: Map<string, string[]>, received: { id: string; subject?: string }[]): DeliveryCheck {
  const position = new Map<string, number>();
  for (const ids of committed.values()) ids.forEach((id, i) => position.set(id, i));
  const seen = new Set<string>();
  const firstArrivals = new Map<string, string[]>();
  const latest = new Map<string, number>();
  const cursor = new Map<string, number>();
  const stale: string[] = [];
  let duplicates = 0;
  let rewinds = 0;
  for (const { id, subject } of received) {
    const twin = subject ?? '';
    const at = position.get(id);
    if (at !== undefined) {
      const last = cursor.get(twin) ?? -1;
      const high = latest.get(twin) ?? -1;
      if (at <= last) rewinds++;
      else if (at > last + 1 && last < high) stale.push(id);
      cursor.set(twin, at);
      latest.set(twin, Math.max(at, high));
    }
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    if (at !== undefined) firstArrivals.set(twin, [...(firstArrivals.get(twin) ?? []), id]);
  }
  const missing = [...committed.values()].flat().filter((id) => !seen.has(id));
  const outOfOrder = [...committed.entries()]
    .filter(([twin, ids]) => (firstArrivals.get(twin) ?? []).join() !== ids.filter((id) => seen.has(id)).join())
    .map(([twin]) => twin);
  return { committed: position.size, received: received.length, missing, outOfOrder, stale, rewinds, duplicates };
}

/**
 * Waits until the event router has picked up the routes of these endpoints: each has its durable
 * consumer, which starts with the events committed after it (the router re-reads routes every 0.5 s).
 */
export async function untilRouted(nc: NatsConnection, stream: string, endpoints: string[], ms = 20_000): Promise<void> {
  const jsm = await jetstream(nc).jetstreamManager();
  const deadline = Date.now() + ms;
  for (const name of endpoints) {
    while (!(await jsm.consumers.info(stream, consumerName(name)).then(() => true, () => false))) {
      if (Date.now() > deadline) throw new Error(`the event router did not pick up the route to ${name} within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
