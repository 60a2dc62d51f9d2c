import { randomBytes, randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Pool } from 'pg';
import pino from 'pino';
import { outboxTableSql } from './outbox';
import { OutboxRelay } from './outbox-relay';

const DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** The relay on its own: a schema with an outbox, a stream of its own, real Postgres and NATS. */
describe('OutboxRelay (real Postgres and NATS)', () => {
  const tag = randomBytes(4).toString('hex');
  const schema = `outbox_relay_${tag}`;
  const stream = `OUTBOX_RELAY_${tag}`;
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    await pool.query(`CREATE SCHEMA "${schema}"`);
    for (const sql of outboxTableSql(schema)) await pool.query(sql);
    nc = await connect({ servers: NATS_URL });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${tag}.>`] });
  });
  afterAll(async () => {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.drain();
    await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    await pool.end();
  });

  /** Appends `n` events, `perTwin` per twin in a row, as one committed backlog. */
  async function appendBacklog(n: number, perTwin: number, label: string): Promise<void> {
    const events = Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      subject: `${label}-${Math.floor(i / perTwin)}`,
      seq: i % perTwin,
    }));
    await pool.query(
      `INSERT INTO "${schema}".outbox (event_id, subject, payload)
       SELECT e.id, $2 || '.' || e.subject, jsonb_build_object('id', e.id, 'subject', e.subject, 'seq', e.seq)
       FROM jsonb_to_recordset($1::jsonb) AS e(ord int, id uuid, subject text, seq int) ORDER BY e.ord`,
      [JSON.stringify(events.map((e, ord) => ({ ord, ...e }))), tag],
    );
  }

  async function untilPublished(label: string, n: number): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".outbox WHERE published_at IS NOT NULL AND payload->>'subject' LIKE $1`,
        [`${label}-%`],
      );
      if (rows[0].n === n) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${label}: not every event was published`);
  }

  /** The passes that marked the label's rows (one mark statement per pass), in order, with their sizes. */
  async function passes(label: string): Promise<number[]> {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".outbox WHERE payload->>'subject' LIKE $1 GROUP BY published_at ORDER BY published_at`,
      [`${label}-%`],
    );
    return rows.map((r) => r.n);
  }

  /** The label's events as the stream holds them, in stream order. */
  async function streamed(label: string): Promise<{ subject: string; seq: number }[]> {
    const info = await jsm.streams.info(stream);
    const out: { subject: string; seq: number }[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      const e = m?.json<{ subject: string; seq: number }>();
      if (e?.subject.startsWith(`${label}-`)) out.push(e);
    }
    return out;
  }

  it('publishes a backlog in passes that grow to the maximum, every event once and each twin in order; a trickle stays at the base size', async () => {
    await appendBacklog(3000, 3, 'backlog');
    // Published rows kept, marked: their published_at tells the passes apart.
    const relay = new OutboxRelay({ databaseUrl: DATABASE_URL, schema, nc, logger: pino({ level: 'silent' }), pollIntervalMs: 50, batchSize: 10, maxBatchSize: 640, keepPublishedMs: 3_600_000 });
    relay.start();
    try {
      await untilPublished('backlog', 3000);
      const sizes = await passes('backlog');
      // 10, 20, 40, … up to 640 a pass: a dozen passes, not the 300 of a fixed 10.
      expect(sizes.slice(0, 7)).toEqual([10, 20, 40, 80, 160, 320, 640]);
      expect(Math.max(...sizes)).toBe(640);
      expect(sizes.length).toBeLessThan(15);
      const events = await streamed('backlog');
      expect(events).toHaveLength(3000);
      const bySubject = new Map<string, number[]>();
      for (const e of events) bySubject.set(e.subject, [...(bySubject.get(e.subject) ?? []), e.seq]);
      expect(bySubject.size).toBe(1000);
      for (const seqs of bySubject.values()) expect(seqs).toEqual([0, 1, 2]);

      // Once caught up, a few events at a time go out in passes of at most the base size.
      for (let i = 0; i < 5; i++) {
        await appendBacklog(7, 1, `trickle${i}`);
        await untilPublished(`trickle${i}`, 7);
        expect(await passes(`trickle${i}`)).toEqual([7]);
      }
      await appendBacklog(25, 1, 'burst');
      await untilPublished('burst', 25);
      expect(await passes('burst')).toEqual([10, 15]);
    } finally {
      await relay.stop();
    }
  });

  it('by default deletes each row once JetStream has it: the outbox empties, every event is in the stream once and each twin in order', async () => {
    await appendBacklog(1200, 4, 'deleted');
    const relay = new OutboxRelay({ databaseUrl: DATABASE_URL, schema, nc, logger: pino({ level: 'silent' }), pollIntervalMs: 50, batchSize: 16, maxBatchSize: 256 });
    relay.start();
    try {
      for (let i = 0; i < 600; i++) {
        const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".outbox WHERE payload->>'subject' LIKE 'deleted-%'`);
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".outbox WHERE payload->>'subject' LIKE 'deleted-%'`);
      expect(rows[0].n).toBe(0);
      const events = await streamed('deleted');
      expect(events).toHaveLength(1200);
      const bySubject = new Map<string, number[]>();
      for (const e of events) bySubject.set(e.subject, [...(bySubject.get(e.subject) ?? []), e.seq]);
      expect(bySubject.size).toBe(300);
      for (const seqs of bySubject.values()) expect(seqs).toEqual([0, 1, 2, 3]);
    } finally {
      await relay.stop();
    }
  });
});
