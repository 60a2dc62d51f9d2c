import { Client } from 'pg';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** Each twin row carries its model and every model that model extends, kept in step on writes. */
describe('twin model ancestry (for IS_OF_MODEL)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'router'] });
  });
  afterAll(() => system?.stop());

  async function call(method: string, route: string, body: unknown): Promise<number> {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, {
      method,
      headers: { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  }

  async function ancestry(id: string): Promise<string[]> {
    const db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
    try {
      return (await db.query<{ model_ancestry: string[] }>(`SELECT model_ancestry FROM twins.twins WHERE id = $1`, [id])).rows[0].model_ancestry;
    } finally {
      await db.end();
    }
  }

  it('is written on create and follows a model change', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect(await call('POST', '/models', m.all)).toBe(201);
    expect(await call('PUT', '/digitaltwins/r1', { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} } })).toBe(200);
    expect(await ancestry('r1')).toEqual([m.room['@id'], m.space['@id']]);
    expect(await call('PATCH', '/digitaltwins/r1', [{ op: 'replace', path: '/$metadata/$model', value: m.space['@id'] }, { op: 'remove', path: '/thermostat' }])).toBe(204);
    expect(await ancestry('r1')).toEqual([m.space['@id']]);
  });
});
