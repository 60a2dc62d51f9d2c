import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startBenchSystem } from './bench-system';
import { closedLoop, httpClient, table, type LoadResult } from './load';

const TWINS = Number(process.env.BENCH_TWINS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const API = '?api-version=2023-10-31';

const MODEL = {
  '@id': 'dtmi:bench:Room;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'Temperature', schema: 'double' },
    { '@type': 'Property', name: 'name', schema: 'string' },
    { '@type': 'Property', name: 'occupied', schema: 'boolean' },
  ],
};

const twinBody = (i: number) => ({ $metadata: { $model: MODEL['@id'] }, Temperature: 20, name: `room ${i}`, occupied: false });

/**
 * `npm run bench -- twins`: creates through the gateway, then (a) the raw Postgres figure of the
 * service's write statements, then (b) PATCHes and GETs through the gateway; every write is
 * acknowledged only after commit.
 */
export async function benchTwins(args: string[] = []): Promise<void> {
  const load0 = os.loadavg();
  // `--without-property-index`: the twins table as before the property index (no triggers
  // maintaining it, the GIN index on documents instead), to measure what the index costs writes.
  const withoutIndex = args.includes('--without-property-index');
  const system = await startBenchSystem(['models-service', 'twins-service', 'gateway'], {}, withoutIndex ? dropPropertyIndex : undefined);
  const results: LoadResult[] = [];
  try {
    const call = httpClient(system.gatewayUrl, CONCURRENCY);
    if ((await call('POST', `/models${API}`, [MODEL])) !== 201) throw new Error('model upload failed');

    // Creates: 10,000 new twins.
    let nextCreate = 0;
    results.push(await closedLoop('create twin (PUT, gateway)', CONCURRENCY, 3600, async () => call('PUT', `/digitaltwins/bench-${nextCreate}${API}`, twinBody(nextCreate++)), TWINS));

    results.push(await rawPostgres(system.databaseUrl));

    const random = () => Math.floor(Math.random() * TWINS);
    results.push(await closedLoop('patch twin (PATCH, gateway)', CONCURRENCY, SECONDS, (_w, i) =>
      call('PATCH', `/digitaltwins/bench-${random()}${API}`, [{ op: 'replace', path: '/Temperature', value: i % 40 }])));
    results.push(await closedLoop('get twin (GET, gateway)', CONCURRENCY, SECONDS, () => call('GET', `/digitaltwins/bench-${random()}${API}`)));

    const drain = await waitForOutboxDrain(system.databaseUrl);
    const published = await streamMessages(system.stream);
    const raw = results.find((r) => r.name.startsWith('raw'))!;
    const patch = results.find((r) => r.name.startsWith('patch'))!;
    console.log(`\nTwins benchmark${withoutIndex ? ' (without the property index)' : ''}: ${TWINS} twins, ${CONCURRENCY} concurrent clients, ${SECONDS} s per timed scenario, ${os.cpus().length} cores`);
    console.log(`load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(table(results));
    console.log(`\npatch through gateway / raw Postgres = ${(patch.perSecond / raw.perSecond).toFixed(2)}`);
    console.log(`events: ${published} in JetStream for ${results[0].ok + patch.ok} acknowledged writes; outbox drained ${drain} ms after the last write`);
    console.log(JSON.stringify({ results, ratio: patch.perSecond / raw.perSecond, published, drainMs: drain }));
  } finally {
    await system.stop();
  }
}

/** (a): the same write straight from `pg`: read the JSONB twin row, update it and append an outbox row in one statement. */
async function rawPostgres(databaseUrl: string): Promise<LoadResult> {
  const pool = new Pool({ connectionString: databaseUrl, max: CONCURRENCY });
  await pool.query(`CREATE SCHEMA bench_raw`);
  await pool.query(`CREATE TABLE bench_raw.twins (LIKE twins.twins INCLUDING ALL)`);
  await pool.query(`CREATE TABLE bench_raw.outbox (LIKE twins.outbox INCLUDING ALL)`);
  await pool.query(`INSERT INTO bench_raw.twins SELECT * FROM twins.twins`);
  await pool.query(`ANALYZE bench_raw.twins`);
  try {
    // Exactly what the twins service runs for a PATCH of a twin it holds a recent copy of: one
    // statement that updates the row (conditional on the ETag) and appends the outbox row (the
    // service then wakes its relay over NATS, not counted here); a stale copy means one read and
    // another try.
    const { rows: all } = await pool.query<{ id: string; etag: string; document: Record<string, unknown> }>(`SELECT id, etag, document FROM bench_raw.twins`);
    const recent = new Map(all.map((r) => [r.id, r]));
    return await closedLoop('raw Postgres (same statements)', CONCURRENCY, SECONDS, async (_w, i) => {
      const id = `bench-${Math.floor(Math.random() * TWINS)}`;
      for (;;) {
        const row = recent.get(id) ?? (await pool.query(`SELECT id, etag, document FROM bench_raw.twins WHERE id = $1`, [id])).rows[0];
        const doc = { ...row.document, Temperature: i % 40 };
        const etag = randomUUID();
        const eventId = randomUUID();
        const written = await pool.query(
          `WITH change AS (UPDATE bench_raw.twins SET model_id = $3, model_ancestry = $9, etag = $4, document = $5, updated_at = clock_timestamp() WHERE id = $1 AND etag = $2 RETURNING 1),
           appended AS (INSERT INTO bench_raw.outbox (event_id, subject, payload) SELECT $6, $7, $8 FROM change RETURNING id)
           SELECT id FROM appended`,
          [id, row.etag, MODEL['@id'], etag, JSON.stringify(doc), eventId, 'bench.raw', JSON.stringify({ id: eventId, data: { patch: [{ op: 'replace', path: '/Temperature', value: i % 40 }] } }), [MODEL['@id']]],
        );
        if (written.rowCount === 1) {
          recent.set(id, { id, etag, document: doc });
          return true;
        }
        recent.delete(id);
      }
    });
  } finally {
    await pool.end();
  }
}

async function dropPropertyIndex(databaseUrl: string): Promise<void> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    for (const op of ['insert', 'update', 'delete', 'truncate']) await pool.query(`DROP TRIGGER twin_properties_${op} ON twins.twins`);
    await pool.query(`CREATE INDEX twins_document ON twins.twins USING gin (document jsonb_path_ops)`);
  } finally {
    await pool.end();
  }
}

async function waitForOutboxDrain(databaseUrl: string): Promise<number> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  const started = Date.now();
  try {
    for (;;) {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM twins.outbox WHERE published_at IS NULL`);
      if (rows[0].n === '0' || Date.now() - started > 120_000) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await pool.end();
  }
}

async function streamMessages(stream: string): Promise<number> {
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  try {
    return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
  } finally {
    await nc.close();
  }
}
