import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { sdkClient } from '../support/sdk';
import { startSystem, type TestSystem } from '../support/system';

/** Models API (ADT endpoints 1–5) driven through the official JS SDK. */
describe('models through @azure/digital-twins-core', () => {
  let system: TestSystem;
  let client: DigitalTwinsClient;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'router'] });
    client = sdkClient(system.gatewayUrl);
  });
  afterAll(() => system?.stop());

  async function expectRestError(p: Promise<unknown>, status: number, code: string): Promise<{ message: string }> {
    const err = await p.then(() => undefined, (e: { statusCode?: number; code?: string; message: string }) => e);
    expect(err).toBeDefined();
    expect({ status: err!.statusCode, code: err!.code }).toEqual({ status, code });
    return err!;
  }

  it('creates a batch whose models reference each other in any order, all with ADT model data', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    const created = await client.createModels(m.all);
    expect(created.map((x) => x.id).sort()).toEqual(m.all.map((x) => x['@id']).sort());
    const room = created.find((x) => x.id === m.room['@id'])!;
    expect(room.displayName).toEqual({ en: 'Room' });
    expect(room.description).toEqual({ en: 'A room in a building' });
    expect(room.decommissioned).toBe(false);
    expect(room.model).toBeUndefined();
    expect(created.find((x) => x.id === m.thermostat['@id'])!.displayName).toBeUndefined();
  });

  it('resolves references to models uploaded in an earlier call', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    await client.createModels([m.space, m.thermostat]);
    const created = await client.createModels([m.room]);
    expect(created[0].id).toBe(m.room['@id']);
  });

  it('gets a model with and without its definition, by a URL-encoded DTMI', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    await client.createModels(m.all);
    const plain = await client.getModel(m.room['@id']);
    expect(plain.id).toBe(m.room['@id']);
    expect(plain.model).toBeUndefined();
    expect(plain.uploadTime).toBeInstanceOf(Date);
    const full = await client.getModel(m.room['@id'], true);
    expect(full.model).toMatchObject({ '@id': m.room['@id'], extends: m.space['@id'] });
  });

  // The 1.x SDK takes the page size from byPage's maxPageSize (its resultsPerPage argument is overwritten).
  it('lists dependencies of a model, following nextLink pages of the requested size', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    await client.createModels(m.all);
    const ids: string[] = [];
    for await (const page of client.listModels([m.room['@id']], true).byPage({ maxPageSize: 1 })) {
      expect(page.value!.length).toBeLessThanOrEqual(1);
      ids.push(...page.value!.map((x) => x.id));
      for (const x of page.value!) expect(x.model).toBeDefined();
    }
    expect(ids.sort()).toEqual([m.room['@id'], m.space['@id'], m.thermostat['@id']].sort());
  });

  it('lists the dependencies of several models (the SDK sends dependenciesFor comma-separated)', async () => {
    const a = buildingModels(uniqueDtmiPrefix());
    const b = buildingModels(uniqueDtmiPrefix());
    await client.createModels([...a.all, ...b.all]);
    const ids: string[] = [];
    for await (const model of client.listModels([a.floor['@id'], b.thermostat['@id']])) ids.push(model.id);
    expect(ids.sort()).toEqual([a.floor['@id'], a.space['@id'], b.thermostat['@id']].sort());
  });

  it('accepts dependenciesFor repeated as well as comma-separated', async () => {
    const a = buildingModels(uniqueDtmiPrefix());
    await client.createModels(a.all);
    const url = `${system.gatewayUrl}/models?api-version=2023-10-31&dependenciesFor=${encodeURIComponent(a.floor['@id'])}&dependenciesFor=${encodeURIComponent(a.thermostat['@id'])}`;
    const body = (await (await fetch(url)).json()) as { value: { id: string }[] };
    expect(body.value.map((x) => x.id).sort()).toEqual([a.floor['@id'], a.space['@id'], a.thermostat['@id']].sort());
  });

  it('rejects a duplicate upload with ModelIdAlreadyExists and stores nothing of the batch', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    await client.createModels([m.space]);
    const err = await expectRestError(client.createModels([m.thermostat, m.space]), 409, 'ModelIdAlreadyExists');
    expect(err.message).toContain(m.space['@id']);
    await expectRestError(client.getModel(m.thermostat['@id']), 404, 'ModelNotFound');
  });

  it('rejects invalid DTDL with DTDLParserError naming the element, and stores nothing', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    const broken = { ...m.floor, contents: [{ '@type': 'Property', name: 'level', schema: 'notASchema' }] };
    const err = await expectRestError(client.createModels([m.space, broken]), 400, 'DTDLParserError');
    expect(err.message).toContain('None of the models in this request could be created');
    await expectRestError(client.getModel(m.space['@id']), 404, 'ModelNotFound');
  });

  it('names the missing model when a reference cannot be resolved', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    const err = await expectRestError(client.createModels([m.room]), 400, 'DTDLParserError');
    expect(err.message).toContain(m.space['@id']);
  });

  it('decommissions a model idempotently', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    await client.createModels([m.space]);
    await client.decomissionModel(m.space['@id']);
    await client.decomissionModel(m.space['@id']);
    expect((await client.getModel(m.space['@id'])).decommissioned).toBe(true);
    await expectRestError(client.decomissionModel(`${uniqueDtmiPrefix()}:Nope;1`), 404, 'ModelNotFound');
  });

  it('refuses to delete a model another model extends or uses as a component, then deletes in order', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    await client.createModels(m.all);
    const err = await expectRestError(client.deleteModel(m.space['@id']), 409, 'ModelReferencesNotDeleted');
    expect(err.message).toContain(m.room['@id']);
    await expectRestError(client.deleteModel(m.thermostat['@id']), 409, 'ModelReferencesNotDeleted');
    await client.deleteModel(m.room['@id']);
    await client.deleteModel(m.floor['@id']);
    await client.deleteModel(m.thermostat['@id']);
    await client.deleteModel(m.space['@id']);
    await expectRestError(client.getModel(m.space['@id']), 404, 'ModelNotFound');
  });
});
