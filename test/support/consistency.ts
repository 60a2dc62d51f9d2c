import { connect } from '@nats-io/transport-node';
import type { DigitalTwinsEvent, UpdateEventData } from '@odt/contracts';
import { Client } from 'pg';
import { readStream, streamCount } from './events';
import { callGateway } from './gateway';
import type { LoadWrite } from './write-load';

/** A committed change: a row of the `twins` or `relationships` outbox. */
export interface CommittedEvent {
  schema: 'twins' | 'relationships';
  eventId: string;
  subject: string;
  data: unknown;
}

const OUTBOXES = ['twins', 'relationships'] as const;

async function withDatabase<T>(databaseUrl: string, use: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

export function committedEvents(databaseUrl: string): Promise<CommittedEvent[]> {
  return withDatabase(databaseUrl, async (db) => {
    const all: CommittedEvent[] = [];
    for (const schema of OUTBOXES) {
      const { rows } = await db.query<{ event_id: string; subject: string; data: unknown }>(
        `SELECT event_id, payload->>'subject' AS subject, payload->'data' AS data FROM "${schema}".outbox ORDER BY id`,
      );
      all.push(...rows.map((r) => ({ schema, eventId: r.event_id, subject: r.subject, data: r.data })));
    }
    return all;
  });
}

export function unpublishedEvents(databaseUrl: string): Promise<number> {
  return withDatabase(databaseUrl, async (db) => {
    const { rows } = await db.query<{ n: string }>(
      OUTBOXES.map((s) => `SELECT count(*) AS n FROM "${s}".outbox WHERE published_at IS NULL`).join(' UNION ALL '),
    );
    return rows.reduce((sum, r) => sum + Number(r.n), 0);
  });
}

/** Waits until the relays have published every committed event (throws after `timeoutMs`). */
export async function untilOutboxDrained(databaseUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = await unpublishedEvents(databaseUrl);
  while (left > 0) {
    if (Date.now() > deadline) throw new Error(`${left} committed events still unpublished after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
    left = await unpublishedEvents(databaseUrl);
  }
}

/** Every event in the stream, from the first. */
export async function streamEvents(natsUrl: string, stream: string): Promise<DigitalTwinsEvent[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    return await readStream(nc, stream, await streamCount(nc, stream));
  } finally {
    await nc.close();
  }
}

/** How the stream compares with the committed changes: each must be in it exactly once. */
export interface EventCheck {
  committed: number;
  inStream: number;
  /** Committed event ids not in the stream. */
  missing: string[];
  /** Event ids in the stream more than once. */
  duplicated: string[];
  /** Event ids in the stream that no outbox holds. */
  unexpected: string[];
}

export function compareEvents(committed: CommittedEvent[], stream: DigitalTwinsEvent[]): EventCheck {
  const seen = new Map<string, number>();
  for (const e of stream) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
  const ids = new Set(committed.map((e) => e.eventId));
  return {
    committed: committed.length,
    inStream: stream.length,
    missing: [...ids].filter((id) => !seen.has(id)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    unexpected: [...seen.keys()].filter((id) => !ids.has(id)),
  };
}

/** What became of the acknowledged writes. */
export interface WriteCheck {
  acknowledged: number;
  /** Items whose value now is neither their last acknowledged one nor one written after it whose answer was lost. */
  lost: { route: string; lastAcknowledged: number; laterUnknown: number[]; read: unknown; status: number }[];
  /** Acknowledged writes without a committed event carrying their value. */
  withoutEvent: { route: string; value: number }[];
}

/** Reads every written item back through the gateway and looks for each acknowledged write's event. */
export async function checkWrites(gatewayUrl: string, writes: readonly LoadWrite[], committed: CommittedEvent[]): Promise<WriteCheck> {
  const byRoute = new Map<string, LoadWrite[]>();
  for (const w of [...writes].sort((a, b) => a.value - b.value)) byRoute.set(w.item.route, [...(byRoute.get(w.item.route) ?? []), w]);
  const lost: WriteCheck['lost'] = [];
  for (const [route, history] of byRoute) {
    const last = history.map((w) => w.acknowledged).lastIndexOf(true);
    if (last < 0) continue;
    const laterUnknown = history.slice(last + 1).filter((w) => !w.refused).map((w) => w.value);
    const answer = await callGateway(gatewayUrl, 'GET', route);
    const read = answer.body?.[history[last].item.property];
    if (![history[last].value, ...laterUnknown].includes(read)) lost.push({ route, lastAcknowledged: history[last].value, laterUnknown, read, status: answer.status });
  }
  const carried = new Set(committed.flatMap((e) => valuesIn(e).map((v) => `${e.subject} ${v}`)));
  const acknowledged = writes.filter((w) => w.acknowledged);
  const withoutEvent = acknowledged
    .filter((w) => !carried.has(`${w.item.subject} ${w.item.property}=${w.value}`))
    .map((w) => ({ route: w.item.route, value: w.value }));
  return { acknowledged: acknowledged.length, lost, withoutEvent };
}

/** `<property>=<value>` of the top-level properties an event sets (a create's body, an update's patch). */
function valuesIn(event: CommittedEvent): string[] {
  const data = event.data as Partial<UpdateEventData> & Record<string, unknown>;
  if (Array.isArray(data.patch)) return data.patch.filter((op) => 'value' in op).map((op) => `${op.path.slice(1)}=${String(op.value)}`);
  return Object.entries(data).filter(([k]) => !k.startsWith('$')).map(([k, v]) => `${k}=${String(v)}`);
}
