import { ApiError, DigitalTwinsApi, type Connection } from '@odt/client';
import { until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** `@odt/client`'s connections, batch and cascading delete (issue 15's APIs) against the running system. */
describe('@odt/client: connections, batch, cascade', () => {
  let system: TestSystem;
  let api: DigitalTwinsApi;
  const m = buildingModels(uniqueDtmiPrefix());
  const room = (extra: Record<string, unknown> = {}) => ({ $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} }, ...extra });
  const MAPPING = '{ "twinId": payload.id, "properties": { "Temperature": payload.t } }';
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

  beforeAll(async () => {
    system = await startSystem({ without: ['router', 'history', 'query'], overrides: { CONNECTION_REFRESH_MS: '100' } });
    api = new DigitalTwinsApi({ endpoint: system.gatewayUrl });
    await api.models.create(m.all);
  }, 60_000);
  afterAll(() => system?.stop());

  it('creates, reads, pages through and deletes connections; a password is never read back', async () => {
    const http = await api.connections.upsert('c-http', { source: { type: 'http' }, mapping: MAPPING });
    expect(http).toMatchObject({ name: 'c-http', source: { type: 'http' }, mapping: MAPPING, enabled: true });
    await api.connections.upsert('c-mqtt', { source: { type: 'mqtt', url: 'mqtt://127.0.0.1:1883', topic: 'odt-client/#', username: 'u', password: 'p4ss' }, mapping: MAPPING });
    const mqtt = await api.connections.get('c-mqtt');
    expect(mqtt).toMatchObject({ hasSecret: true, source: { username: 'u' } });
    expect(JSON.stringify(mqtt)).not.toContain('p4ss');

    const pages: Connection[][] = [];
    for await (const page of api.connections.list({ maxItemsPerPage: 1 }).byPage()) pages.push(page.value);
    expect(pages.length).toBe(2);
    expect(pages.flat().map((c) => c.name).sort()).toEqual(['c-http', 'c-mqtt']);

    await api.connections.delete('c-mqtt');
    expect(await failure(api.connections.get('c-mqtt'))).toMatchObject({ status: 404, code: 'ConnectionNotFound' });
    expect(await failure(api.connections.upsert('c-bad', { source: { type: 'http' }, mapping: '{ "a": ' }))).toMatchObject({ status: 400, code: 'MappingInvalid' });
  });

  it('tests a mapping on a sample, with the saved mapping or another one', async () => {
    const result = await api.connections.test('c-http', { topic: 't/1', headers: { 'x-device-id': 'd1' }, payload: { id: 'c-lab', t: 19 } });
    expect(result.envelope).toMatchObject({ topic: 't/1', headers: { 'x-device-id': 'd1' }, payload: { id: 'c-lab', t: 19 } });
    expect(result.operations).toMatchObject([{ kind: 'patch', twinId: 'c-lab', patch: [{ op: 'add', path: '/Temperature', value: 19 }] }]);
    const other = await api.connections.test('c-http', { payload: { n: 3 }, mapping: '{ "twinId": "n-" & payload.n, "telemetry": { "reading": payload.n } }' });
    expect(other.operations).toMatchObject([{ twinId: 'n-3' }]);
    expect(await failure(api.connections.test('c-http', { payload: { t: 1 } }))).toMatchObject({ status: 400, code: 'MappingFailed' });
    expect(await failure(api.twins.get('c-lab'))).toMatchObject({ status: 404 });
  });

  it('sends http messages, reads the dead letters with why, and replays them', async () => {
    await api.twins.upsert('c-a', room());
    expect(await api.connections.sendMessages('c-http', [{ id: 'c-a', t: 20 }, { id: 'c-b', t: 21 }])).toEqual({ accepted: 2 });
    expect(await api.connections.sendMessages('c-http', { id: 'c-a', t: 'hot' })).toEqual({ accepted: 1 });
    await until(async () => (await api.connections.deadLetters('c-http')).length >= 2);
    const letters = await api.connections.deadLetters('c-http');
    expect(letters.map((l) => [l.stage, l.code, l.message.payload])).toEqual([
      ['apply', 'DigitalTwinNotFound', { id: 'c-b', t: 21 }],
      ['apply', 'ValidationFailed', { id: 'c-a', t: 'hot' }],
    ]);
    expect(letters[0]).toMatchObject({ attempts: 1, reason: expect.stringContaining('c-b') });
    expect(await api.connections.deadLetters('c-http', { maxItemsPerPage: 1 })).toHaveLength(1);
    expect((await api.twins.get('c-a')).Temperature).toBe(20);

    await api.twins.upsert('c-b', room());
    expect(await api.connections.replayDeadLetters('c-http')).toEqual({ replayed: 1, remaining: 1 });
    expect((await api.twins.get('c-b')).Temperature).toBe(21);
    expect(await api.connections.deadLetters('c-http')).toMatchObject([{ code: 'ValidationFailed', attempts: 2 }]);
  });

  it('applies a batch all or nothing, and the failing operation is an ApiError naming it', async () => {
    const done = await api.batch([
      { op: 'putTwin', twinId: 'b-1', twin: room({ Temperature: 1 }) },
      { op: 'putTwin', twinId: 'b-2', twin: room(), ifNoneMatch: '*' },
      { op: 'putRelationship', twinId: 'b-1', relationshipId: 'r', relationship: { $targetId: 'b-2', $relationshipName: 'contains' } },
      { op: 'patchTwin', twinId: 'b-1', patch: [{ op: 'replace', path: '/Temperature', value: 5 }] },
    ]);
    expect(done.results.map((r) => [r.op, r.twinId, r.relationshipId])).toEqual([
      ['putTwin', 'b-1', undefined], ['putTwin', 'b-2', undefined], ['putRelationship', 'b-1', 'r'], ['patchTwin', 'b-1', undefined],
    ]);
    const twin = await api.twins.get('b-1');
    expect(twin).toMatchObject({ Temperature: 5, $etag: done.results[3]!.etag });

    const err = await failure(api.batch([
      { op: 'deleteRelationship', twinId: 'b-1', relationshipId: 'r' },
      { op: 'deleteTwin', twinId: 'b-2' },
      { op: 'patchTwin', twinId: 'b-1', patch: [{ op: 'replace', path: '/Temperature', value: 6 }], ifMatch: 'W/"00000000-0000-0000-0000-000000000000"' },
    ]));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 412, code: 'PreconditionFailed', message: expect.stringMatching(/^Operation 2 \(patchTwin b-1\) failed, nothing was applied/) });
    expect((await api.relationships.get('b-1', 'r')).$targetId).toBe('b-2');
    expect((await api.twins.get('b-2')).$dtId).toBe('b-2');
    expect((await api.twins.get('b-1')).Temperature).toBe(5);
  });

  it('deletes a twin with its relationships with cascade, and refuses without it', async () => {
    for (const id of ['d-x', 'd-y']) await api.twins.upsert(id, room());
    await api.relationships.upsert('d-x', 'out', { $targetId: 'd-y', $relationshipName: 'contains' });
    await api.relationships.upsert('d-y', 'in', { $targetId: 'd-x', $relationshipName: 'contains' });
    expect(await failure(api.twins.delete('d-x'))).toMatchObject({ status: 400, code: 'RelationshipsNotDeleted' });
    const stale = await api.twins.get('d-x');
    await api.twins.update('d-x', [{ op: 'add', path: '/Temperature', value: 3 }]);
    expect(await failure(api.twins.delete('d-x', { cascade: true, ifMatch: stale }))).toMatchObject({ status: 412 });
    await api.twins.delete('d-x', { cascade: true });
    expect(await failure(api.twins.get('d-x'))).toMatchObject({ status: 404 });
    expect(await failure(api.relationships.get('d-y', 'in'))).toMatchObject({ code: 'RelationshipNotFound' });
    expect(await failure(api.twins.delete('d-x', { cascade: true }))).toMatchObject({ status: 404, code: 'DigitalTwinNotFound' });
  });
});
