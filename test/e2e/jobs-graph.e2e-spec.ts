import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { Client } from 'pg';
import { readStream, streamCount } from '../support/events';
import { callGateway, until } from '../support/gateway';
import { finishedJob, importFile, jobsStorage, writeJobFile } from '../support/jobs';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { untilOutboxDrained } from '../support/consistency';
import { startSystem, type TestSystem } from '../support/system';

/**
 * A generated building through an import, seen three ways: the database, a subscriber that mirrors
 * the graph from the events alone, and an export imported again into the emptied instance.
 */
const storage = jobsStorage();
let system: TestSystem;
let nc: NatsConnection;
const api = (method: string, route: string, body?: unknown, headers?: Record<string, string>) => callGateway(system.gatewayUrl, method, route, body, headers);
const prefix = uniqueDtmiPrefix();
const m = buildingModels(prefix);
const FLOORS = 6;
const ROOMS = 40;

function building() {
  const twins: unknown[] = [];
  const relationships: unknown[] = [];
  for (let f = 0; f < FLOORS; f++) {
    twins.push({ $dtId: `floor-${f}`, $metadata: { $model: `${prefix}:Floor;1` }, level: f, name: `Floor ${f}` });
    for (let r = 0; r < ROOMS; r++) {
      const id = `room-${f}-${r}`;
      twins.push({
        $dtId: id, $metadata: { $model: `${prefix}:Room;1`, Temperature: { sourceTime: '2024-05-01T10:00:00.5Z' } },
        Temperature: 18 + r / 10, occupied: r % 2 === 0, name: `Room ${f}.${r}`,
        thermostat: { $metadata: { setPoint: { sourceTime: '2024-05-01T09:00:00Z' } }, setPoint: 20 + (r % 3) },
      });
      relationships.push({ $dtId: `floor-${f}`, $relationshipId: `contains-${id}`, $targetId: id, $relationshipName: 'contains' });
      if (r > 0) relationships.push({ $dtId: `room-${f}-${r - 1}`, $relationshipId: `feeds-${id}`, $targetId: id, $relationshipName: 'feeds', weight: r / 7 });
    }
  }
  return importFile({ models: m.all, twins, relationships });
}

interface Graph {
  models: string[];
  twins: Record<string, unknown>;
  relationships: Record<string, unknown>;
}

/** The graph as stored; `stable`: without what a write sets anew (ETags, lastUpdateTime). */
async function storedGraph(stable: boolean): Promise<Graph> {
  const db = new Client({ connectionString: system.iso.databaseUrl });
  await db.connect();
  try {
    const models = (await db.query<{ id: string }>(`SELECT id FROM models.models ORDER BY id`)).rows.map((r) => r.id);
    const twins: Record<string, unknown> = {};
    for (const r of (await db.query<{ id: string; etag: string; document: Record<string, unknown> }>(`SELECT id, etag, document FROM twins.twins`)).rows) {
      twins[r.id] = stable ? withoutWriteTimes(r.document) : { $dtId: r.id, $etag: `W/"${r.etag}"`, ...r.document };
    }
    const relationships: Record<string, unknown> = {};
    for (const r of (await db.query(`SELECT source_id, relationship_id, name, target_id, etag, properties FROM relationships.relationships`)).rows) {
      relationships[`${r.source_id}/${r.relationship_id}`] = {
        ...(stable ? {} : { $etag: `W/"${r.etag}"` }), $relationshipId: r.relationship_id, $sourceId: r.source_id, $relationshipName: r.name, $targetId: r.target_id, ...r.properties,
      };
    }
    return { models, twins, relationships };
  } finally {
    await db.end();
  }
}

function withoutWriteTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutWriteTimes);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'lastUpdateTime' && k !== '$lastUpdateTime').map(([k, v]) => [k, withoutWriteTimes(v)]));
}

/** A downstream subscriber's copy of the graph, built from the events alone. */
function mirror(events: DigitalTwinsEvent[]): Pick<Graph, 'twins' | 'relationships'> {
  const twins: Record<string, unknown> = {};
  const relationships: Record<string, unknown> = {};
  for (const e of events) {
    const data = e.data as Record<string, unknown>;
    if (e.type.endsWith('Twin.Create')) twins[e.subject as string] = data;
    else if (e.type.endsWith('Twin.Delete')) delete twins[e.subject as string];
    else if (e.type.endsWith('Relationship.Create')) relationships[e.subject!.replace('/relationships/', '/')] = data;
    else if (e.type.endsWith('Relationship.Delete')) delete relationships[e.subject!.replace('/relationships/', '/')];
  }
  return { twins, relationships };
}

beforeAll(async () => {
  system = await startSystem({ without: ['router', 'history'], overrides: { JOBS_STORAGE_DIR: storage.dir, JOBS_POLL_MS: '100', JOBS_BATCH_SIZE: '37' } });
  nc = await connect({ servers: system.env.NATS_URL });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await system?.stop();
  storage.remove();
});

const TWINS = FLOORS * (ROOMS + 1);
const RELATIONSHIPS = FLOORS * (ROOMS + ROOMS - 1);
let original: Graph;

describe('a graph through import, events, export and delete', () => {
  it('imports the building, and a subscriber mirroring the events ends with the same graph as the database', async () => {
    expect((await api('PUT', '/jobs/imports/building', { inputBlobUri: writeJobFile(storage.dir, 'b.ndjson', building()), outputBlobUri: 'file:///b.out' })).status).toBe(201);
    const job = await finishedJob(system.gatewayUrl, '/jobs/imports/building');
    expect(job.status).toBe('succeeded');
    await untilOutboxDrained(system.iso.databaseUrl);
    const events = await readStream(nc, system.iso.stream, TWINS + RELATIONSHIPS);
    expect(events.length).toBe(TWINS + RELATIONSHIPS);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const stored = await storedGraph(false);
    expect(Object.keys(stored.twins).length).toBe(TWINS);
    expect(Object.keys(stored.relationships).length).toBe(RELATIONSHIPS);
    expect(mirror(events)).toEqual({ twins: stored.twins, relationships: stored.relationships });
    original = await storedGraph(true);
  }, 120_000);

  it('exports the graph as an import file (GET …/output streams it)', async () => {
    const created = await api('PUT', '/jobs/exports/all', {});
    expect(created.status).toBe(201);
    const job = await finishedJob(system.gatewayUrl, '/jobs/exports/all');
    expect(job).toMatchObject({ status: 'succeeded', counts: { models: 4, twins: TWINS, relationships: RELATIONSHIPS } });
    const res = await fetch(`${system.gatewayUrl}/jobs/exports/all/output?api-version=2023-10-31`);
    expect(res.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('{"Section":"Header"}');
    expect(lines.length).toBe(2 + 1 + 4 + 1 + TWINS + 1 + RELATIONSHIPS);
    writeJobFile(storage.dir, 'export.ndjson', lines.join('\n') + '\n');
    expect((await api('GET', '/jobs/exports/nothing/output')).code).toBe('ExportJobNotFound');
  }, 60_000);

  it('deletes every relationship, twin and model in one transaction, with their Delete events', async () => {
    const before = await streamCount(nc, system.iso.stream);
    // A transaction holding a model row makes the delete job wait inside its own transaction (it
    // deletes the models first).
    const blocker = new Client({ connectionString: system.iso.databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT id FROM models.models WHERE id = $1 FOR UPDATE`, [`${prefix}:Room;1`]);
    const res = await fetch(`${system.gatewayUrl}/jobs/deletions?api-version=2023-10-31&timeoutInMinutes=15`, { method: 'POST', headers: { 'operation-id': 'wipe1' } });
    expect(res.status).toBe(202);
    expect(res.headers.get('operation-id')).toBe('wipe1');
    expect(res.headers.get('operation-location')).toMatch(/\/jobs\/deletions\/wipe1\?api-version=2023-10-31$/);
    expect(await res.json()).toMatchObject({ id: 'wipe1', status: expect.stringMatching(/notstarted|running/) });
    await until(async () => (await api('GET', '/jobs/deletions/wipe1')).body.status === 'running');
    await new Promise((r) => setTimeout(r, 500));
    // The job's transaction has begun deleting: nobody sees any of it yet.
    const seen = await api('POST', '/query', { query: 'SELECT COUNT() FROM RELATIONSHIPS' });
    expect(seen.body.value).toEqual([{ COUNT: RELATIONSHIPS }]);
    expect((await api('GET', '/digitaltwins/room-0-0')).status).toBe(200);
    await blocker.query('ROLLBACK');
    await blocker.end();
    const job = await finishedJob(system.gatewayUrl, '/jobs/deletions/wipe1');
    expect(job).toMatchObject({ id: 'wipe1', status: 'succeeded' });
    const after = await storedGraph(false);
    expect([after.models.length, Object.keys(after.twins).length, Object.keys(after.relationships).length]).toEqual([0, 0, 0]);
    await untilOutboxDrained(system.iso.databaseUrl);
    const events = await readStream(nc, system.iso.stream, before + TWINS + RELATIONSHIPS);
    const deletes = events.slice(before);
    expect(deletes.filter((e) => e.type.endsWith('Twin.Delete')).length).toBe(TWINS);
    expect(deletes.filter((e) => e.type.endsWith('Relationship.Delete')).length).toBe(RELATIONSHIPS);
    expect(mirror(events)).toEqual({ twins: {}, relationships: {} });
    expect((await api('GET', '/jobs/deletions')).body.value.map((j: { id: string }) => j.id)).toEqual(['wipe1']);
    expect((await api('GET', '/jobs/deletions/none')).code).toBe('DeleteJobNotFound');
  }, 120_000);

  it('imports the export into the empty instance and gets the same graph back', async () => {
    expect((await api('PUT', '/jobs/imports/restore', { inputBlobUri: 'file:///export.ndjson', outputBlobUri: 'file:///restore.out' })).status).toBe(201);
    const job = await finishedJob(system.gatewayUrl, '/jobs/imports/restore');
    expect(job.status).toBe('succeeded');
    expect(await storedGraph(true)).toEqual(original);
  }, 120_000);

  it('exports the twins a query selects, with the relationships among them', async () => {
    expect((await api('PUT', '/jobs/exports/floor0', { query: "SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 'room-0-')" })).status).toBe(201);
    const job = await finishedJob(system.gatewayUrl, '/jobs/exports/floor0');
    // The rooms of floor 0 and the feeds among them; not the floor, nor its contains relationships.
    expect(job).toMatchObject({ status: 'succeeded', query: expect.stringContaining('room-0-'), counts: { models: 4, twins: ROOMS, relationships: ROOMS - 1 } });
    const lines = (await (await fetch(`${system.gatewayUrl}/jobs/exports/floor0/output?api-version=2023-10-31`)).text()).trim().split('\n').map((l) => JSON.parse(l));
    const relationships = lines.slice(lines.findIndex((l) => l.Section === 'Relationships') + 1);
    expect(relationships.every((r) => r.$relationshipName === 'feeds' && typeof r.weight === 'number')).toBe(true);
  }, 60_000);
});
