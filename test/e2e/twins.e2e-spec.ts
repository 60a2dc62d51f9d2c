import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { sdkClient } from '../support/sdk';
import { startSystem, type TestSystem } from '../support/system';

const ADT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const WEAK_ETAG = /^W\/"[0-9a-f-]{36}"$/;

/** Twins (ADT endpoints 7–10) through the official JS SDK. */
describe('twins through @azure/digital-twins-core', () => {
  let system: TestSystem;
  let client: DigitalTwinsClient;
  let m: ReturnType<typeof buildingModels>;
  let n = 0;
  const twinId = () => `room-${Date.now().toString(36)}-${n++}`;
  const room = (extra: Record<string, unknown> = {}) => ({
    $metadata: { $model: m.room['@id'] },
    Temperature: 21.5,
    thermostat: { $metadata: {} },
    ...extra,
  });

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'router'] });
    client = sdkClient(system.gatewayUrl);
    m = buildingModels(uniqueDtmiPrefix());
    await client.createModels(m.all);
  });
  afterAll(() => system?.stop());

  async function expectRestError(p: Promise<unknown>, status: number, code: string) {
    const err = await p.then(() => undefined, (e: { statusCode?: number; code?: string; message: string }) => e);
    expect(err).toBeDefined();
    expect({ status: err!.statusCode, code: err!.code }).toEqual({ status, code });
    return err!;
  }

  it('creates a twin and returns it exactly as ADT shapes it, with a weak ETag in header and body', async () => {
    const id = twinId();
    const res = await client.upsertDigitalTwin(id, JSON.stringify(room({ name: 'Lobby' })));
    const twin = res.body;
    expect(res.etag).toMatch(WEAK_ETAG);
    expect(twin.$etag).toBe(res.etag);
    expect(twin.$dtId).toBe(id);
    expect(twin).toMatchObject({ Temperature: 21.5, name: 'Lobby' });
    expect(twin.$metadata.$model).toBe(m.room['@id']);
    expect(twin.$metadata.$lastUpdateTime).toMatch(ADT_TIME);
    expect(twin.$metadata.Temperature.lastUpdateTime).toMatch(ADT_TIME);
    expect(twin.thermostat.$metadata.$lastUpdateTime).toMatch(ADT_TIME);
    expect(twin.thermostat.$metadata.$model).toBeUndefined();
    const got = await client.getDigitalTwin(id);
    expect(got.body).toEqual(twin);
    expect(got.etag).toBe(res.etag);
  });

  it('replaces (not merges) on a second PUT, and If-None-Match: * makes PUT create-only', async () => {
    const id = twinId();
    await client.upsertDigitalTwin(id, JSON.stringify(room({ name: 'Old', occupied: true })));
    await client.upsertDigitalTwin(id, JSON.stringify(room({ Temperature: 19 })));
    const got = (await client.getDigitalTwin(id)).body;
    expect(got.Temperature).toBe(19);
    expect(got.name).toBeUndefined();
    expect(got.occupied).toBeUndefined();
    await expectRestError(client.upsertDigitalTwin(id, JSON.stringify(room()), { ifNoneMatch: '*' }), 412, 'PreconditionFailed');
  });

  it('patches with JSON Patch, keeps sourceTime, and honours If-Match', async () => {
    const id = twinId();
    const created = await client.upsertDigitalTwin(id, JSON.stringify(room({ $metadata: { $model: m.room['@id'], Temperature: { sourceTime: '2022-05-31T12:00:01.000125009Z' } } })));
    const patched = await client.updateDigitalTwin(id, [
      { op: 'replace', path: '/Temperature', value: 23 },
      { op: 'add', path: '/capacity', value: 12 },
      { op: 'add', path: '/thermostat/setPoint', value: 20.5 },
    ], { ifMatch: created.etag });
    expect(patched.etag).toMatch(WEAK_ETAG);
    expect(patched.etag).not.toBe(created.etag);
    const twin = (await client.getDigitalTwin(id)).body;
    expect(twin).toMatchObject({ Temperature: 23, capacity: 12, thermostat: { setPoint: 20.5 } });
    expect(twin.$metadata.Temperature.sourceTime).toBe('2022-05-31T12:00:01.000125009Z');
    expect(twin.thermostat.$metadata.setPoint.lastUpdateTime).toMatch(ADT_TIME);
    await expectRestError(client.updateDigitalTwin(id, [{ op: 'remove', path: '/capacity' }], { ifMatch: created.etag }), 412, 'PreconditionFailed');
    await client.updateDigitalTwin(id, [{ op: 'remove', path: '/capacity' }], { ifMatch: '*' });
    const after = (await client.getDigitalTwin(id)).body;
    expect(after.capacity).toBeUndefined();
    expect(after.$metadata.capacity).toBeUndefined();
  });

  it('rejects a move operation with JsonPatchInvalid and ADT\'s message', async () => {
    const id = twinId();
    await client.upsertDigitalTwin(id, JSON.stringify(room()));
    const err = await expectRestError(client.updateDigitalTwin(id, [{ op: 'move', from: '/Temperature', path: '/capacity' }]), 400, 'JsonPatchInvalid');
    expect(err.message).toContain('Unsupported operation type move');
  });

  it('rejects undeclared properties and wrong primitive types with ValidationFailed, storing nothing', async () => {
    const id = twinId();
    await expectRestError(client.upsertDigitalTwin(id, JSON.stringify(room({ colour: 'red' }))), 400, 'ValidationFailed');
    await expectRestError(client.upsertDigitalTwin(id, JSON.stringify(room({ Temperature: 'warm' }))), 400, 'ValidationFailed');
    await expectRestError(client.upsertDigitalTwin(id, JSON.stringify(room({ capacity: 1.5 }))), 400, 'ValidationFailed');
    await expectRestError(client.getDigitalTwin(id), 404, 'DigitalTwinNotFound');
    await client.upsertDigitalTwin(id, JSON.stringify(room()));
    await expectRestError(client.updateDigitalTwin(id, [{ op: 'add', path: '/occupied', value: 'yes' }]), 400, 'ValidationFailed');
    expect((await client.getDigitalTwin(id)).body.occupied).toBeUndefined();
  });

  it('rejects a twin of an unknown model, and new twins of a decommissioned model', async () => {
    await expectRestError(client.upsertDigitalTwin(twinId(), JSON.stringify({ $metadata: { $model: `${uniqueDtmiPrefix()}:X;1` } })), 400, 'ValidationFailed');
    const own = buildingModels(uniqueDtmiPrefix());
    await client.createModels([own.space]);
    const existing = twinId();
    await client.upsertDigitalTwin(existing, JSON.stringify({ $metadata: { $model: own.space['@id'] } }));
    await client.decomissionModel(own.space['@id']);
    await expectRestError(client.upsertDigitalTwin(twinId(), JSON.stringify({ $metadata: { $model: own.space['@id'] } })), 400, 'ModelDecommissioned');
    await client.updateDigitalTwin(existing, [{ op: 'add', path: '/name', value: 'still writable' }]);
    expect((await client.getDigitalTwin(existing)).body.name).toBe('still writable');
    await client.upsertDigitalTwin(existing, JSON.stringify({ $metadata: { $model: own.space['@id'] }, name: 'replaced, same model' }));
    // ...but no twin may move onto the decommissioned model, by PATCH or by a replacing PUT.
    const other = twinId();
    await client.upsertDigitalTwin(other, JSON.stringify(room()));
    await expectRestError(client.updateDigitalTwin(other, [{ op: 'replace', path: '/$metadata/$model', value: own.space['@id'] }, { op: 'remove', path: '/Temperature' }, { op: 'remove', path: '/thermostat' }]), 400, 'ModelDecommissioned');
    await expectRestError(client.upsertDigitalTwin(other, JSON.stringify({ $metadata: { $model: own.space['@id'] } })), 400, 'ModelDecommissioned');
    expect((await client.getDigitalTwin(other)).body.$metadata.$model).toBe(m.room['@id']);
  });

  it('treats an empty patch as no change: same ETag, nothing written', async () => {
    const id = twinId();
    const created = await client.upsertDigitalTwin(id, JSON.stringify(room()));
    const patched = await client.updateDigitalTwin(id, []);
    expect(patched.etag).toBe(created.etag);
    expect((await client.getDigitalTwin(id)).body).toEqual(created.body);
  });

  it('deletes a twin, honouring If-Match, and then reports DigitalTwinNotFound', async () => {
    const id = twinId();
    const created = await client.upsertDigitalTwin(id, JSON.stringify(room()));
    await expectRestError(client.deleteDigitalTwin(id, { ifMatch: 'W/"00000000-0000-0000-0000-000000000000"' }), 412, 'PreconditionFailed');
    await client.deleteDigitalTwin(id, { ifMatch: created.etag });
    const err = await expectRestError(client.getDigitalTwin(id), 404, 'DigitalTwinNotFound');
    expect(err.message).toContain('There is no digital twin instance that exists with the ID');
    await expectRestError(client.deleteDigitalTwin(id), 404, 'DigitalTwinNotFound');
  });
});
