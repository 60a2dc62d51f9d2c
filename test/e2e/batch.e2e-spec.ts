import type { NatsConnection } from '@nats-io/transport-node';
import { EventTypes, type DigitalTwinsEvent } from '@odt/contracts';
import { Client } from 'pg';
import { authEnv, mintToken } from '../support/auth';
import { readStream } from '../support/events';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { natsConnection, startSystem, type TestSystem } from '../support/system';

/** `POST /batch` (atomic twin and relationship writes) and `DELETE /digitaltwins/{id}?cascade=true`. */
describe('batches and cascading deletes', () => {
  let system: TestSystem;
  let nc: NatsConnection;
  let db: Client;
  let token: string;
  const m = buildingModels(uniqueDtmiPrefix());
  const room = (extra: Record<string, unknown> = {}) => ({ $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} }, ...extra });
  const api = (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) =>
    callGateway(system.gatewayUrl, method, route, body, { authorization: `Bearer ${token}`, ...headers });
  let seq = 0;
  const fresh = (p: string) => `${p}-${seq++}`;

  /** Every event whose subject is, or is under, one of these twins, in stream order. */
  async function eventsOf(twins: string[], expected: number): Promise<DigitalTwinsEvent[]> {
    const all = await readStream(nc, system.iso.stream, Number.MAX_SAFE_INTEGER, 4000);
    const events = all.filter((e) => twins.some((t) => e.subject === t || e.subject?.startsWith(`${t}/relationships/`)));
    if (events.length < expected) throw new Error(`expected ${expected} events, saw ${events.length}`);
    return events;
  }

  beforeAll(async () => {
    system = await startSystem({
      without: ['router', 'history', 'query'],
      overrides: authEnv({ BATCH_MAX_OPERATIONS: '20', AUTH_CUSTOM_ROLES: JSON.stringify({ Deleter: ['digitaltwins/read', 'digitaltwins/delete'], Writer: ['digitaltwins/write'] }) }),
    });
    token = await mintToken({ sub: 'owner', roles: ['DataOwner'] });
    nc = await natsConnection();
    db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
    expect((await api('POST', '/models', m.all)).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await nc?.close();
    await system?.stop();
  });

  it('applies twins, relationships and patches together, each with its event', async () => {
    const [a, b] = [fresh('a'), fresh('b')];
    const res = await api('POST', '/batch', {
      operations: [
        { op: 'putTwin', twinId: a, twin: room({ Temperature: 20 }), ifNoneMatch: '*' },
        { op: 'putTwin', twinId: b, twin: room() },
        { op: 'putRelationship', twinId: a, relationshipId: 'r1', relationship: { $targetId: b, $relationshipName: 'feeds', weight: 1 } },
        { op: 'patchTwin', twinId: a, patch: [{ op: 'replace', path: '/Temperature', value: 21 }] },
        { op: 'patchRelationship', twinId: a, relationshipId: 'r1', patch: [{ op: 'replace', path: '/weight', value: 2 }] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { op: string }) => r.op)).toEqual(['putTwin', 'putTwin', 'putRelationship', 'patchTwin', 'patchRelationship']);
    const twin = await api('GET', `/digitaltwins/${a}`);
    expect(twin.body.Temperature).toBe(21);
    expect(twin.body.$etag).toBe(res.body.results[3].etag);
    const rel = await api('GET', `/digitaltwins/${a}/relationships/r1`);
    expect(rel.body).toMatchObject({ weight: 2, $etag: res.body.results[4].etag });
    const events = await eventsOf([a, b], 5);
    const key = (type: string, subject: string) => `${type} ${subject}`;
    expect(events.map((e) => key(e.type, e.subject ?? '')).sort()).toEqual([
      key(EventTypes.TwinCreate, a), key(EventTypes.TwinCreate, b), key(EventTypes.RelationshipCreate, `${a}/relationships/r1`),
      key(EventTypes.TwinUpdate, a), key(EventTypes.RelationshipUpdate, `${a}/relationships/r1`),
    ].sort());
    // Per twin (and per relationship) in order; the two outboxes are relayed independently.
    const order = (subject: string) => events.filter((e) => e.subject === subject).map((e) => e.type);
    expect(order(a)).toEqual([EventTypes.TwinCreate, EventTypes.TwinUpdate]);
    expect(order(b)).toEqual([EventTypes.TwinCreate]);
    expect(order(`${a}/relationships/r1`)).toEqual([EventTypes.RelationshipCreate, EventTypes.RelationshipUpdate]);
  });

  it('applies nothing, and publishes nothing, when the last operation meets a stale ETag', async () => {
    const [a, b, old] = [fresh('a'), fresh('b'), fresh('old')];
    const seeded = await api('PUT', `/digitaltwins/${old}`, room({ Temperature: 1 }));
    await api('PATCH', `/digitaltwins/${old}`, [{ op: 'replace', path: '/Temperature', value: 2 }]);
    const res = await api('POST', '/batch', {
      operations: [
        { op: 'putTwin', twinId: a, twin: room() },
        { op: 'putTwin', twinId: b, twin: room() },
        { op: 'putRelationship', twinId: a, relationshipId: 'r1', relationship: { $targetId: b, $relationshipName: 'contains' } },
        { op: 'patchTwin', twinId: old, patch: [{ op: 'replace', path: '/Temperature', value: 3 }] },
        { op: 'patchTwin', twinId: old, patch: [{ op: 'replace', path: '/Temperature', value: 4 }], ifMatch: seeded.body.$etag },
      ],
    });
    expect([res.status, res.code]).toEqual([412, 'PreconditionFailed']);
    expect(res.body.error.message).toMatch(/^Operation 4 \(patchTwin old-\d+\) failed, nothing was applied/);
    expect(res.body.error.details[0]).toMatchObject({ code: 'PreconditionFailed', target: '/operations/4' });
    expect((await api('GET', `/digitaltwins/${a}`)).status).toBe(404);
    expect((await api('GET', `/digitaltwins/${b}`)).status).toBe(404);
    expect((await api('GET', `/digitaltwins/${old}`)).body.Temperature).toBe(2);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM twins.outbox WHERE payload->>'subject' IN ($1, $2)`, [a, b]);
    expect(rows[0].n).toBe(0);
    const events = await eventsOf([old], 2);
    expect(events.map((e) => e.type)).toEqual([EventTypes.TwinCreate, EventTypes.TwinUpdate]);
  });

  it('names the failing operation with its own code: validation, missing target, remaining relationships', async () => {
    const [a, b] = [fresh('a'), fresh('b')];
    await api('PUT', `/digitaltwins/${b}`, room());
    await api('PUT', `/digitaltwins/${a}`, room());
    await api('PUT', `/digitaltwins/${a}/relationships/r`, { $targetId: b, $relationshipName: 'contains' });
    const invalid = await api('POST', '/batch', { operations: [{ op: 'patchTwin', twinId: a, patch: [{ op: 'add', path: '/Temperature', value: 'hot' }] }] });
    expect([invalid.status, invalid.code, invalid.body.error.details[0].target]).toEqual([400, 'ValidationFailed', '/operations/0']);
    const target = await api('POST', '/batch', { operations: [
      { op: 'patchTwin', twinId: a, patch: [{ op: 'add', path: '/Temperature', value: 5 }] },
      { op: 'putRelationship', twinId: a, relationshipId: 'x', relationship: { $targetId: 'nobody', $relationshipName: 'contains' } },
    ] });
    expect([target.status, target.code]).toEqual([404, 'TargetDigitalTwinNotFound']);
    expect((await api('GET', `/digitaltwins/${a}`)).body.Temperature).toBeUndefined();
    const remaining = await api('POST', '/batch', { operations: [{ op: 'deleteTwin', twinId: b }] });
    expect([remaining.status, remaining.code]).toEqual([400, 'RelationshipsNotDeleted']);
    // In order, the relationship first, the twin then: both go.
    const ok = await api('POST', '/batch', { operations: [{ op: 'deleteRelationship', twinId: a, relationshipId: 'r' }, { op: 'deleteTwin', twinId: b }] });
    expect(ok.status).toBe(200);
    expect((await api('GET', `/digitaltwins/${b}`)).status).toBe(404);
  });

  it('limits the batch and checks its shape before writing anything', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ op: 'putTwin', twinId: `lim-${i}`, twin: room() }));
    expect((await api('POST', '/batch', { operations: many })).code).toBe('LimitExceeded');
    expect((await api('POST', '/batch', { operations: [] })).code).toBe('InvalidArgument');
    expect((await api('POST', '/batch', {})).code).toBe('InvalidArgument');
    const unknown = await api('POST', '/batch', { operations: [{ op: 'putTwin', twinId: 'ok', twin: room() }, { op: 'upsertEverything', twinId: 'x' }] });
    expect([unknown.code, unknown.body.error.details[0].target]).toEqual(['InvalidArgument', '/operations/1']);
    expect((await api('GET', '/digitaltwins/ok')).status).toBe(404);
  });

  it('needs the data action of every operation', async () => {
    const writer = await mintToken({ sub: 'writer', roles: ['Writer'] });
    const id = fresh('w');
    const asWriter = (body: unknown) => callGateway(system.gatewayUrl, 'POST', '/batch', body, { authorization: `Bearer ${writer}` });
    expect((await asWriter({ operations: [{ op: 'putTwin', twinId: id, twin: room() }] })).status).toBe(200);
    const refused = await asWriter({ operations: [{ op: 'patchTwin', twinId: id, patch: [] }, { op: 'deleteTwin', twinId: id }] });
    expect([refused.status, refused.code]).toEqual([403, 'Forbidden']);
    expect((await api('GET', `/digitaltwins/${id}`)).status).toBe(200);
  });

  it('deletes a twin with its outgoing and incoming relationships, a Delete event for each', async () => {
    const [x, y, z] = [fresh('x'), fresh('y'), fresh('z')];
    for (const t of [x, y, z]) await api('PUT', `/digitaltwins/${t}`, room());
    await api('PUT', `/digitaltwins/${x}/relationships/out`, { $targetId: y, $relationshipName: 'contains' });
    await api('PUT', `/digitaltwins/${z}/relationships/in`, { $targetId: x, $relationshipName: 'feeds' });
    await api('PUT', `/digitaltwins/${y}/relationships/other`, { $targetId: z, $relationshipName: 'contains' });
    expect((await api('DELETE', `/digitaltwins/${x}`)).code).toBe('RelationshipsNotDeleted');
    const deleter = await mintToken({ sub: 'deleter', roles: ['Deleter'] });
    const refused = await callGateway(system.gatewayUrl, 'DELETE', `/digitaltwins/${x}?cascade=true`, undefined, { authorization: `Bearer ${deleter}` });
    expect([refused.status, refused.code]).toEqual([403, 'Forbidden']);
    expect((await api('DELETE', `/digitaltwins/${x}?cascade=true`, undefined, { 'if-match': 'W/"00000000-0000-0000-0000-000000000000"' })).code).toBe('PreconditionFailed');
    expect((await api('DELETE', `/digitaltwins/${x}?cascade=true`)).status).toBe(204);
    expect((await api('GET', `/digitaltwins/${x}`)).status).toBe(404);
    expect((await api('GET', `/digitaltwins/${z}/relationships/in`)).status).toBe(404);
    expect((await api('GET', `/digitaltwins/${y}/relationships/other`)).status).toBe(200);
    const events = await eventsOf([x, z], 6);
    const deletes = events.filter((e) => e.type === EventTypes.RelationshipDelete || e.type === EventTypes.TwinDelete).map((e) => e.subject).sort();
    expect(deletes).toEqual([x, `${x}/relationships/out`, `${z}/relationships/in`].sort());
    expect((await api('DELETE', `/digitaltwins/${x}?cascade=true`)).code).toBe('DigitalTwinNotFound');
    expect((await api('DELETE', `/digitaltwins/${y}?cascade=maybe`)).code).toBe('InvalidArgument');
  });

  it('leaves no relationship dangling when writers race a cascading delete', async () => {
    for (let round = 0; round < 5; round++) {
      const hub = fresh('hub');
      const peers = Array.from({ length: 8 }, () => fresh('peer'));
      await api('PUT', `/digitaltwins/${hub}`, room());
      for (const p of peers) await api('PUT', `/digitaltwins/${p}`, room());
      await api('PUT', `/digitaltwins/${peers[0]}/relationships/seed`, { $targetId: hub, $relationshipName: 'contains' });
      const writers = peers.flatMap((p, i) => [
        api('PUT', `/digitaltwins/${p}/relationships/to-${i}`, { $targetId: hub, $relationshipName: 'contains' }),
        api('PUT', `/digitaltwins/${hub}/relationships/from-${i}`, { $targetId: p, $relationshipName: 'contains' }),
      ]);
      const [deleted, ...written] = await Promise.all([api('DELETE', `/digitaltwins/${hub}?cascade=true`), ...writers]);
      expect(deleted.status).toBe(204);
      for (const w of written) expect([200, 404]).toContain(w.status);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM relationships.relationships WHERE source_id = $1 OR target_id = $1`, [hub]);
      expect(rows[0].n).toBe(0);
      // Every relationship that was created has its Delete event too.
      const { rows: events } = await db.query(
        `SELECT payload->>'type' AS type, payload->>'subject' AS subject FROM relationships.outbox
         WHERE payload->'data'->>'$sourceId' = $1 OR payload->'data'->>'$targetId' = $1`, [hub],
      );
      const created = events.filter((e) => e.type === EventTypes.RelationshipCreate).map((e) => e.subject).sort();
      const gone = events.filter((e) => e.type === EventTypes.RelationshipDelete).map((e) => e.subject).sort();
      expect(gone).toEqual(created);
      expect(created.length).toBe(1 + written.filter((w) => w.status === 200).length);
    }
  });
});
