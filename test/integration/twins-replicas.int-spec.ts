import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/**
 * Two twins-service replicas behind one gateway: each keeps its own recent copies of twins, so
 * writes routinely start from a copy another replica has made stale. Nothing may be lost.
 */
describe('twin writes across two twins-service replicas', () => {
  let system: TestSystem;
  let m: ReturnType<typeof buildingModels>;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'router'], twinsReplicas: 2 });
    m = buildingModels(uniqueDtmiPrefix());
    expect((await call('POST', '/models', m.all)).status).toBe(201);
  });
  afterAll(() => system?.stop());

  async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : undefined };
  }

  const room = (extra: Record<string, unknown> = {}) => ({ $metadata: { $model: m.room['@id'] }, thermostat: { $metadata: {} }, ...extra });

  it('applies 200 sequential patches in order, each on top of the last, whichever replica serves it', async () => {
    await call('PUT', '/digitaltwins/seq', room({ capacity: 0 }));
    for (let i = 1; i <= 200; i++) expect((await call('PATCH', '/digitaltwins/seq', [{ op: 'replace', path: '/capacity', value: i }])).status).toBe(204);
    expect((await call('GET', '/digitaltwins/seq')).body.capacity).toBe(200);
  });

  it('follows an If-Match chain across replicas: each ETag works once, a stale one is a 412', async () => {
    let etag = (await call('PUT', '/digitaltwins/chain', room())).etag!;
    for (let i = 0; i < 50; i++) {
      const next = await call('PATCH', '/digitaltwins/chain', [{ op: 'add', path: '/capacity', value: i }], { 'if-match': etag });
      expect(next.status).toBe(204);
      expect((await call('PATCH', '/digitaltwins/chain', [{ op: 'add', path: '/capacity', value: -1 }], { 'if-match': etag })).status).toBe(412);
      etag = next.etag!;
    }
    expect((await call('GET', '/digitaltwins/chain')).body.capacity).toBe(49);
  });

  it('applies each of 60 concurrent two-property patches whole (never half of one), then deletes', async () => {
    const id = 'many';
    await call('PUT', `/digitaltwins/${id}`, room({ name: 'n' }));
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      call('PATCH', `/digitaltwins/${id}`, [{ op: 'replace', path: '/name', value: `n${i}` }, { op: 'add', path: '/capacity', value: i }])));
    expect(statuses.map((s) => s.status)).toEqual(Array(60).fill(204));
    const after = (await call('GET', `/digitaltwins/${id}`)).body;
    expect(after.name).toBe(`n${after.capacity}`);
    expect((await call('DELETE', `/digitaltwins/${id}`)).status).toBe(204);
    expect((await call('PATCH', `/digitaltwins/${id}`, [{ op: 'add', path: '/capacity', value: 1 }])).status).toBe(404);
  });
});
