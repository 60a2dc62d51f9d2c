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
  });
});
