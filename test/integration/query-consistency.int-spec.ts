import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** Beyond ADT (whose queries lag writes by up to 10 s): a query sees every write acknowledged before it. */
describe('queries read their writes', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'router'] });
  });
  afterAll(() => system?.stop());

  async function call(method: string, route: string, body: unknown): Promise<{ status: number; body: { value?: Record<string, unknown>[] } }> {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, {
      method,
      headers: { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  it('1,000 times: write, then query immediately and see the write', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await call('POST', '/models', m.all)).status).toBe(201);
    expect((await call('PUT', '/digitaltwins/ryw', { $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} }, capacity: -1 })).status).toBe(200);
    const stale: number[] = [];
    for (let i = 0; i < 1000; i++) {
      // Alternate a patch of an existing twin and the creation of a new one.
      if (i % 2 === 0) {
        expect((await call('PATCH', '/digitaltwins/ryw', [{ op: 'replace', path: '/capacity', value: i }])).status).toBe(204);
        const seen = await call('POST', '/query', { query: "SELECT T.capacity FROM DIGITALTWINS T WHERE T.$dtId = 'ryw'" });
        if (seen.body.value?.[0]?.capacity !== i) stale.push(i);
      } else {
        expect((await call('PUT', `/digitaltwins/ryw-${i}`, { $metadata: { $model: m.space['@id'] }, name: `n${i}` })).status).toBe(200);
        const seen = await call('POST', '/query', { query: `SELECT COUNT() FROM DIGITALTWINS T WHERE T.name = 'n${i}'` });
        if (seen.body.value?.[0]?.COUNT !== 1) stale.push(i);
      }
    }
    expect(stale).toEqual([]);
    // 4,000 sequential requests: on a shared two-core machine this takes longer than Jest's minute.
  }, 300_000);

  it('counts every twin exactly, from the kept count, under concurrent creates and deletes', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await call('POST', '/models', m.all)).status).toBe(201);
    const count = async () => (await call('POST', '/query', { query: 'SELECT COUNT() FROM DIGITALTWINS' })).body.value?.[0]?.COUNT as number;
    // The same count taken the long way: a WHERE makes the engine pass over the twins.
    const counted = async () => (await call('POST', '/query', { query: "SELECT COUNT() FROM DIGITALTWINS T WHERE T.$dtId != ''" })).body.value?.[0]?.COUNT as number;
    const before = await count();
    expect(before).toBe(await counted());
    const ids = Array.from({ length: 60 }, (_, i) => `cnt-${i}`);
    const created = await Promise.all(ids.map((id) => call('PUT', `/digitaltwins/${id}`, { $metadata: { $model: m.space['@id'] }, name: id })));
    expect(created.map((r) => r.status)).toEqual(ids.map(() => 200));
    expect(await count()).toBe(before + 60);
    const deleted = await Promise.all(ids.slice(0, 25).map(async (id) => (await fetch(`${system.gatewayUrl}/digitaltwins/${id}?api-version=2023-10-31`, { method: 'DELETE' })).status));
    expect(deleted).toEqual(ids.slice(0, 25).map(() => 204));
    expect(await count()).toBe(before + 35);
    expect(await counted()).toBe(before + 35);
  });
});
