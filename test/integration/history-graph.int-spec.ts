import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { HistoryMaintenance } from '../../apps/history-service/src/maintenance/history-maintenance';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { jetstreamManager } from '@nats-io/jetstream';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 86_400_000;

/** Relationships, queries (JOIN, MATCH) and property values as of past moments; the watermark; retention; the purge. */
describe('history of the graph', () => {
  let system: TestSystem;
  let m: ReturnType<typeof buildingModels>;
  beforeAll(async () => {
    system = await startSystem({ without: ['router'], overrides: { HISTORY_ASOF_WAIT_MS: '5000', HISTORY_RETENTION_DAYS: '3' } });
    m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
  });
  afterAll(() => system?.stop());
  const api = (method: string, route: string, body?: unknown, headers?: Record<string, string>) => callGateway(system.gatewayUrl, method, route, body, headers);
  const room = (name: string) => ({ $metadata: { $model: m.room['@id'] }, name, thermostat: { $metadata: {} } });
  const asOf = (at: number) => `asOf=${encodeURIComponent(iso(at))}`;

  it('reads relationships, outgoing and incoming lists as of moments between their changes', async () => {
    for (const id of ['ra', 'rb', 'rc']) expect((await api('PUT', `/digitaltwins/${id}`, room(id))).status).toBe(200);
    const moments: { at: number; rel?: Record<string, unknown>; outgoing: string[]; incomingB: string[]; incomingC: string[] }[] = [];
    const snapshot = async () => {
      await sleep(15);
      const at = Date.now();
      await sleep(15);
      const rel = await api('GET', '/digitaltwins/ra/relationships/r1');
      const out = await api('GET', '/digitaltwins/ra/relationships');
      const inB = await api('GET', '/digitaltwins/rb/incomingrelationships');
      const inC = await api('GET', '/digitaltwins/rc/incomingrelationships');
      moments.push({
        at, ...(rel.status === 200 ? { rel: rel.body } : {}),
        outgoing: out.body.value.map((r: { $relationshipId: string }) => r.$relationshipId).sort(),
        incomingB: inB.body.value.map((r: { $relationshipId: string }) => r.$relationshipId).sort(),
        incomingC: inC.body.value.map((r: { $relationshipId: string }) => r.$relationshipId).sort(),
      });
    };
    await snapshot();
    expect((await api('PUT', '/digitaltwins/ra/relationships/r1', { $relationshipName: 'feeds', $targetId: 'rb', weight: 1 })).status).toBe(200);
    await snapshot();
    expect((await api('PATCH', '/digitaltwins/ra/relationships/r1', [{ op: 'replace', path: '/weight', value: 2.5 }])).status).toBe(204);
    await snapshot();
    expect((await api('PUT', '/digitaltwins/ra/relationships/r2', { $relationshipName: 'contains', $targetId: 'rc' })).status).toBe(200);
    await snapshot();
    // Retargeted by a replacing PUT, then its property removed.
    expect((await api('PUT', '/digitaltwins/ra/relationships/r1', { $relationshipName: 'feeds', $targetId: 'rc', weight: 3 })).status).toBe(200);
    await snapshot();
    expect((await api('PATCH', '/digitaltwins/ra/relationships/r1', [{ op: 'remove', path: '/weight' }])).status).toBe(204);
    await snapshot();
    expect((await api('DELETE', '/digitaltwins/ra/relationships/r1')).status).toBe(204);
    await snapshot();

    for (const moment of moments) {
      const rel = await api('GET', `/digitaltwins/ra/relationships/r1?${asOf(moment.at)}`);
      if (moment.rel) expect(rel.body).toEqual(moment.rel);
      else expect([rel.status, rel.code]).toEqual([404, 'RelationshipNotFoundAsOf']);
      const out = await api('GET', `/digitaltwins/ra/relationships?${asOf(moment.at)}`);
      expect(out.body.value.map((r: { $relationshipId: string }) => r.$relationshipId).sort()).toEqual(moment.outgoing);
      const inB = await api('GET', '/digitaltwins/rb/incomingrelationships', undefined, { 'at-historical-timestamp': iso(moment.at) });
      expect(inB.body.value.map((r: { $relationshipId: string }) => r.$relationshipId).sort()).toEqual(moment.incomingB);
      const inC = await api('GET', `/digitaltwins/rc/incomingrelationships?${asOf(moment.at)}`);
      expect(inC.body.value.map((r: { $relationshipId: string }) => r.$relationshipId).sort()).toEqual(moment.incomingC);
    }
    const before = await api('GET', `/digitaltwins/nobody/relationships?${asOf(moments[0].at)}`);
    expect([before.status, before.code]).toEqual([404, 'DigitalTwinNotFoundAsOf']);
  }, 120_000);

  it('answers POST /query with asOf (JOIN, MATCH, projections, COUNT) as the live query answered at that moment', async () => {
    const queries = [
      "SELECT T, R FROM DIGITALTWINS T JOIN R RELATED T.contains WHERE T.$dtId = 'q0'",
      "SELECT B.$dtId AS id, B.name FROM DIGITALTWINS MATCH (A)-[:contains*1..3]->(B) WHERE A.$dtId = 'q0'",
      "SELECT T.$dtId, T.Temperature FROM DIGITALTWINS T WHERE IS_OF_MODEL('" + m.space['@id'] + "') AND T.Temperature > 10",
      "SELECT COUNT() FROM DIGITALTWINS T WHERE T.name = 'q'",
      "SELECT T.$dtId, T.name FROM DIGITALTWINS T WHERE T.$metadata.$model IN ['" + m.room['@id'] + "', 'dtmi:none:x;1']",
      'SELECT COUNT() FROM DIGITALTWINS',
      "SELECT R FROM RELATIONSHIPS R WHERE R.$sourceId = 'q1'",
    ];
    const ids = ['q0', 'q1', 'q2', 'q3'];
    const recorded: { at: number; answers: unknown[] }[] = [];
    const record = async () => {
      await sleep(10);
      const at = Date.now();
      await sleep(10);
      const answers = [];
      for (const query of queries) answers.push(sortedRows((await api('POST', '/query', { query })).body.value));
      recorded.push({ at, answers });
    };
    await record();
    for (let step = 0; step < 16; step++) {
      const id = ids[randomInt(ids.length)];
      const exists = (await api('GET', `/digitaltwins/${id}`)).status === 200;
      if (!exists) expect((await api('PUT', `/digitaltwins/${id}`, { ...room('q'), Temperature: randomInt(0, 30) })).status).toBe(200);
      else if (step % 3 === 0) expect((await api('PATCH', `/digitaltwins/${id}`, [{ op: 'add', path: '/Temperature', value: randomInt(0, 30) }])).status).toBe(204);
      else {
        const target = ids[(ids.indexOf(id) + 1) % ids.length];
        if ((await api('GET', `/digitaltwins/${target}`)).status === 200) {
          const relId = `c-${id}-${target}`;
          const present = (await api('GET', `/digitaltwins/${id}/relationships/${relId}`)).status === 200;
          expect((await (present ? api('DELETE', `/digitaltwins/${id}/relationships/${relId}`) : api('PUT', `/digitaltwins/${id}/relationships/${relId}`, { $relationshipName: 'contains', $targetId: target }))).status).toBeLessThan(300);
        } else expect((await api('PATCH', `/digitaltwins/${id}`, [{ op: 'add', path: '/name', value: step % 2 ? 'q' : 'other' }])).status).toBe(204);
      }
      await record();
    }
    for (const { at, answers } of recorded) {
      for (let i = 0; i < queries.length; i++) {
        const res = await api('POST', '/query', { query: queries[i], asOf: iso(at) });
        expect({ query: queries[i], at: iso(at), rows: sortedRows(res.body.value) }).toEqual({ query: queries[i], at: iso(at), rows: answers[i] });
      }
    }
  }, 180_000);

  it('pages an asOf query with continuation tokens that keep the moment', async () => {
    const at = Date.now() - 50;
    const first = await api('POST', '/query', { query: 'SELECT T.$dtId FROM DIGITALTWINS T', asOf: iso(at) }, { 'max-items-per-page': '2' });
    expect(first.status).toBe(200);
    expect(first.body.continuationToken).toMatch(/^asof\./);
    const rest = await api('POST', '/query', { continuationToken: first.body.continuationToken }, { 'max-items-per-page': '1000' });
    const all = await api('POST', '/query', { query: 'SELECT T.$dtId FROM DIGITALTWINS T', asOf: iso(at) });
    expect([...first.body.value, ...rest.body.value]).toEqual(all.body.value);
  });

  it('lists a property\'s values over time, raw, lastN and aggregated', async () => {
    expect((await api('PUT', '/digitaltwins/v1', room('v'))).status).toBe(200);
    for (const t of [10, 20, 30, 40]) expect((await api('PATCH', '/digitaltwins/v1', [{ op: 'add', path: '/Temperature', value: t }])).status).toBe(204);
    expect((await api('PATCH', '/digitaltwins/v1/components/thermostat', [{ op: 'add', path: '/setPoint', value: 21 }])).status).toBe(204);
    // The component's change is the last one written: once it is in history, so are the four before it.
    await until(async () => (await api('GET', '/digitaltwins/v1/history?property=thermostat/setPoint')).body?.value?.length === 1);
    const raw = await api('GET', '/digitaltwins/v1/history?property=Temperature');
    expect(raw.body.value.map((v: { value: number }) => v.value)).toEqual([10, 20, 30, 40]);
    expect(raw.body.value[0]).toMatchObject({ key: 'Temperature', action: 'update', modelId: m.room['@id'], caller: { authtype: 'unauthenticated' } });
    const last2 = await api('GET', '/digitaltwins/v1/history?property=Temperature&lastN=2');
    expect(last2.body.value.map((v: { value: number }) => v.value)).toEqual([30, 40]);
    const paged = await api('GET', '/digitaltwins/v1/history?property=Temperature', undefined, { 'max-items-per-page': '3' });
    expect(paged.body.value).toHaveLength(3);
    expect(paged.body.nextLink).toContain('continuationToken=');
    for (const [aggregate, value] of [['avg', 25], ['min', 10], ['max', 40], ['count', 4], ['first', 10], ['last', 40]] as const) {
      const res = await api('GET', `/digitaltwins/v1/history?property=Temperature&aggregate=${aggregate}`);
      expect(res.body.value).toHaveLength(1);
      expect(res.body.value[0]).toMatchObject({ key: 'Temperature', aggregate, count: 4 });
      expect(Number(res.body.value[0].value)).toBe(value);
    }
    const buckets = await api('GET', '/digitaltwins/v1/history?property=Temperature&aggregate=count&interval=PT1H');
    expect(buckets.body.value.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(4);
    const component = await api('GET', '/digitaltwins/v1/history?property=thermostat/setPoint');
    expect(component.body.value.map((v: { key: string; value: number }) => [v.key, v.value])).toEqual([['thermostat/setPoint', 21]]);
    const bad = await api('GET', '/digitaltwins/v1/history?property=Temperature&aggregate=median');
    expect([bad.status, bad.code]).toEqual([400, 'InvalidArgument']);
  });

  it('refuses an asOf past the watermark while a writer that started before it is still open, then answers', async () => {
    expect((await api('PUT', '/digitaltwins/w1', room('w'))).status).toBe(200);
    // A transaction with an id, open: it could still commit an outbox row stamped before now.
    const open = new Client({ connectionString: system.iso.databaseUrl });
    open.on('error', () => undefined);
    await open.connect();
    let at: number;
    try {
      await open.query('BEGIN');
      await open.query('SELECT pg_current_xact_id()');
      await sleep(300);
      expect((await api('PATCH', '/digitaltwins/w1', [{ op: 'add', path: '/Temperature', value: 99 }])).status).toBe(204);
      at = Date.now();
      await sleep(1500);
      const refused = await api('GET', `/digitaltwins/w1?${asOf(at)}`);
      expect([refused.status, refused.code]).toEqual([503, 'HistoryIncomplete']);
      expect(refused.body.error.message).toMatch(/History is complete up to .*; .* is later/);
    } finally {
      await open.query('COMMIT').catch(() => undefined);
      await open.end().catch(() => undefined);
    }
    const answered = await api('GET', `/digitaltwins/w1?${asOf(at)}`);
    expect(answered.status).toBe(200);
    expect(answered.body.Temperature).toBe(99);
  }, 60_000);

  it('drops day partitions past retention, and refuses asOf older than history keeps', async () => {
    const db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
    try {
      const old = new Date(Math.floor((Date.now() - 6 * DAY_MS) / DAY_MS) * DAY_MS);
      const name = old.toISOString().slice(0, 10).replace(/-/g, '');
      await db.query(`CREATE TABLE history.twin_events_p${name} PARTITION OF history.twin_events FOR VALUES FROM ('${old.toISOString()}') TO ('${new Date(old.getTime() + DAY_MS).toISOString()}')`);
      await db.query(`INSERT INTO history.checkpoint_days (day, twins, relationships) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING`, [old.toISOString()]);
      const maintenance = system.apps.history.get(HistoryMaintenance);
      expect(await maintenance.runOnce()).toBe(true);
      const { rows } = await db.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'twin_events'`);
      const days = rows.map((r: { relname: string }) => r.relname.slice(-8)).sort();
      expect(days).not.toContain(name);
      const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
      expect(days).toContain(today);
      const tooOld = await api('GET', `/digitaltwins/w1?${asOf(Date.now() - 5 * DAY_MS)}`);
      expect([tooOld.status, tooOld.code]).toEqual([404, 'HistoryNotAvailable']);
    } finally {
      await db.end();
    }
  });

  it('rebuilds the indexes of a closed day once, smaller, and its history reads the same', async () => {
    const db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
    try {
      // Two days ago, 40 twins changed 200 times each, written in time order (twins in any order), as ingestion writes.
      const day = Math.floor((Date.now() - 2 * DAY_MS) / DAY_MS) * DAY_MS;
      const name = `twin_events_p${iso(day).slice(0, 10).replace(/-/g, '')}`;
      await db.query(`INSERT INTO history.checkpoint_days (day, twins, relationships) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING`, [iso(day - DAY_MS)]);
      // The day closed (empty) when the system started and was compacted then; it is written here as if it had just closed.
      await db.query('DELETE FROM history.compacted_partitions WHERE name = $1', [name]);
      const { rows: model } = await db.query<{ id: number }>(`INSERT INTO history.models (dtmi, ancestry) VALUES ($1, ARRAY[$1]) ON CONFLICT (dtmi) DO UPDATE SET dtmi = EXCLUDED.dtmi RETURNING id`, [m.room['@id']]);
      await db.query(
        `INSERT INTO history.twin_events (ts, etag, event_id, model, kind, twin_id, changes)
         SELECT $1::timestamptz + make_interval(secs => g * 8), gen_random_uuid(), gen_random_uuid(), $2, CASE WHEN g <= 40 THEN 'c' ELSE 'u' END, 'compact-' || (g % 40),
           CASE WHEN g <= 40 THEN jsonb_build_object('$metadata', jsonb_build_object('$model', $3::text), 'name', 'n' || g) ELSE jsonb_build_object('name', 'n' || g) END
         FROM generate_series(1, 8000) g ORDER BY g`,
        [iso(day), model[0].id, m.room['@id']],
      );
      const probe = async () => (await api('GET', `/digitaltwins/compact-7?${asOf(day + 4000 * 8000 + 500)}`)).body as Record<string, unknown>;
      const before = await probe();
      expect(before.name).toBe('n3967');
      const indexOf = async () => (await db.query<{ oid: number; bytes: string }>(
        `SELECT x.indexrelid::int AS oid, pg_relation_size(x.indexrelid) AS bytes FROM pg_index x WHERE x.indrelid = to_regclass('history.' || $1)`, [name])).rows[0];
      const old = await indexOf();

      const maintenance = system.apps.history.get(HistoryMaintenance);
      expect(await maintenance.runOnce()).toBe(true);
      const rebuilt = await indexOf();
      expect(rebuilt.oid).not.toBe(old.oid);
      expect(Number(rebuilt.bytes)).toBeLessThan(Number(old.bytes));
      const { rows: recorded } = await db.query(`SELECT bytes_before::int, bytes_after::int FROM history.compacted_partitions WHERE name = $1`, [name]);
      expect(recorded).toEqual([{ bytes_before: Number(old.bytes), bytes_after: Number(rebuilt.bytes) }]);
      expect(await probe()).toEqual(before);

      // Once: the next round leaves it alone; today's partition, still open, is never rebuilt.
      expect(await maintenance.runOnce()).toBe(true);
      expect((await indexOf()).oid).toBe(rebuilt.oid);
      const { rows: today } = await db.query(`SELECT 1 FROM history.compacted_partitions WHERE name = $1`, [`twin_events_p${iso(Date.now()).slice(0, 10).replace(/-/g, '')}`]);
      expect(today).toEqual([]);
    } finally {
      await db.end();
    }
  });

  it('replays GET /events?from= from history for a time the stream no longer holds', async () => {
    const from = Date.now();
    await sleep(20);
    expect((await api('PUT', '/digitaltwins/e1', room('replayed'))).status).toBe(200);
    expect((await api('PATCH', '/digitaltwins/e1', [{ op: 'add', path: '/Temperature', value: 7 }])).status).toBe(204);
    await until(async () => (await api('GET', '/digitaltwins/e1/history?property=Temperature')).body?.value?.length === 1);
    await sleep(500);
    // The stream forgets everything: only history still has these events.
    const nc = await natsConnection(system.env.NATS_URL);
    await (await jetstreamManager(nc)).streams.purge(system.iso.stream);
    await nc.close();
    const abort = new AbortController();
    const res = await fetch(`${system.gatewayUrl}/events?api-version=2023-10-31&from=${encodeURIComponent(iso(from))}&filter=${encodeURIComponent("subject = 'e1'")}`, { signal: abort.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 10_000;
    while ((text.match(/^data: /gm) ?? []).length < 2 && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
    expect(events.map((e) => e.type)).toEqual(['Microsoft.DigitalTwins.Twin.Create', 'Microsoft.DigitalTwins.Twin.Update']);
    expect(events[1].data.patch).toEqual([{ op: 'add', path: '/Temperature', value: 7 }]);
  }, 60_000);

  it('forgets a twin\'s history on DELETE /digitaltwins/{id}/history', async () => {
    expect((await api('PUT', '/digitaltwins/p1', room('secret'))).status).toBe(200);
    await sleep(50);
    const at = Date.now();
    await sleep(50);
    expect((await api('GET', `/digitaltwins/p1?${asOf(at)}`)).body.name).toBe('secret');
    const purged = await api('DELETE', '/digitaltwins/p1/history');
    expect(purged.status).toBe(200);
    expect(purged.body.deleted).toBeGreaterThan(0);
    const gone = await api('GET', `/digitaltwins/p1?${asOf(at)}`);
    expect([gone.status, gone.code]).toEqual([404, 'DigitalTwinNotFoundAsOf']);
    expect((await api('GET', '/digitaltwins/p1/history')).body.value).toEqual([]);
  });
});

function sortedRows(rows: unknown[] | undefined): string[] {
  return (rows ?? []).map((r) => JSON.stringify(sortKeys(r))).sort();
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  // $metadata times: history takes them from the events (docs/history.md).
  return Object.fromEntries(Object.keys(o).filter((k) => k !== '$metadata').sort().map((k) => [k, sortKeys(o[k])]));
}
