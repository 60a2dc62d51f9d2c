import type { DigitalTwinsEvent } from '@odt/contracts';

/** Minimal query surface of a transaction: a TypeORM EntityManager or QueryRunner both fit. */
export interface SqlExecutor {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * The event with its `time` set by Postgres as the statement writes it (RFC 3339, UTC, µs): the
 * time of the change, not of when the service built the event (before waiting for a connection).
 */
const STAMPED = (param: string) =>
  `jsonb_set(${param}::jsonb, '{time}', to_jsonb(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))`;

/**
 * The LISTEN channel a relay also waits on (NOTIFY is delivered only when the writing transaction
 * commits). The services' writes wake relays over NATS instead (`OutboxWaker`).
 */
export function outboxChannel(schema: string): string {
  return `outbox_${schema}`;
}

/** DDL of a service's outbox, for that service's migration. */
export function outboxTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".outbox (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      subject text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      published_at timestamptz
    )`,
    `CREATE INDEX outbox_unpublished ON "${schema}".outbox (id) WHERE published_at IS NULL`,
  ];
}

/**
 * The outbox as the relay deletes published rows (migrations `…20001`/`…20002`): no unique index
 * on `event_id` (ids are random UUIDs, nothing looks a row up by them, and each row paid a random
 * btree insert for it, about 3 µs of Postgres CPU per event measured in isolation), and no rows
 * left marked by a relay that kept them.
 */
export function outboxDeleteOnPublishSql(schema: string): string[] {
  return [
    `ALTER TABLE "${schema}".outbox DROP CONSTRAINT IF EXISTS outbox_event_id_key`,
    `DELETE FROM "${schema}".outbox WHERE published_at IS NOT NULL`,
  ];
}

/**
 * Appends an event in the caller's transaction, after the change it describes, so the row and
 * the change commit together; per-twin order follows because the change took the twin's row lock
 * before this insert. Once the transaction has committed, the caller wakes the relay
 * (`OutboxWaker`); the writes here no longer `pg_notify`, see outbox-wake.ts.
 */
export async function appendToOutbox(tx: SqlExecutor, schema: string, subject: string, event: DigitalTwinsEvent): Promise<void> {
  await tx.query(
    `INSERT INTO "${schema}".outbox (event_id, subject, payload) VALUES ($1, $2, ${STAMPED('$3')})`,
    [event.id, subject, JSON.stringify(event)],
  );
}

/** An event and the JetStream subject it goes to, ready to be written with its change. */
export interface OutboxEntry {
  subject: string;
  event: DigitalTwinsEvent;
}

/**
 * Runs one data-modifying statement (`change.sql`, which must end in `RETURNING` and touch at most
 * one row) and appends the event in the same statement, hence the same commit: no transaction, one
 * round trip. Returns false, and writes no event, when the statement changed nothing (e.g. its
 * `WHERE etag = ...` no longer matched). Row locks taken by the change precede the outbox row's id,
 * so two writes to one row get outbox ids in commit order.
 */
export async function changeWithEvent(db: SqlExecutor, schema: string, change: { sql: string; params: unknown[] }, entry: OutboxEntry): Promise<boolean> {
  const n = change.params.length;
  const rows = (await db.query(
    `WITH change AS (${change.sql}),
     appended AS (
       INSERT INTO "${schema}".outbox (event_id, subject, payload) SELECT $${n + 1}, $${n + 2}, ${STAMPED(`$${n + 3}`)} FROM change RETURNING id
     ) SELECT id FROM appended`,
    [...change.params, entry.event.id, entry.subject, JSON.stringify(entry.event)],
  )) as unknown[];
  return rows.length > 0;
}

/**
 * Appends several events in the caller's transaction in one statement, their outbox ids in the
 * order given (one twin's events keep their order); nothing when `entries` is empty.
 */
export async function appendManyToOutbox(tx: SqlExecutor, schema: string, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e, ord) => ({ ord, event_id: e.event.id, subject: e.subject, payload: e.event }));
  await tx.query(
    `INSERT INTO "${schema}".outbox (event_id, subject, payload)
     SELECT e.event_id, e.subject, ${STAMPED('e.payload')}
     FROM jsonb_to_recordset($1::jsonb) AS e(ord int, event_id uuid, subject text, payload jsonb) ORDER BY e.ord`,
    [JSON.stringify(rows)],
  );
}
