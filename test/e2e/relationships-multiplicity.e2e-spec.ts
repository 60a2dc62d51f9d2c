import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** DTDL maxMultiplicity: ignored like ADT by default, enforced (also under concurrency) when switched on. */
describe.each([
  ['off (ADT behaviour)', 'false', 5],
  ['on (ENFORCE_MAX_MULTIPLICITY=true)', 'true', 2],
])('maxMultiplicity enforcement %s', (_name, enforce, allowed) => {
  let system: TestSystem;
  let m: ReturnType<typeof buildingModels>;

  beforeAll(async () => {
    system = await startSystem({ without: ['router'], overrides: { ENFORCE_MAX_MULTIPLICITY: enforce } });
    m = buildingModels(uniqueDtmiPrefix());
    expect(await call('POST', '/models', m.all)).toBe(201);
  });
  afterAll(() => system?.stop());

  async function call(method: string, route: string, body?: unknown): Promise<number> {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  }

  it(`lets ${allowed} of 5 concurrent 'feeds' relationships (maxMultiplicity 2) through`, async () => {
    const space = { $metadata: { $model: m.space['@id'] } };
    const twins = ['src', 't0', 't1', 't2', 't3', 't4'];
    for (const t of twins) expect(await call('PUT', `/digitaltwins/${t}`, space)).toBe(200);
    const statuses = await Promise.all([0, 1, 2, 3, 4].map((i) => call('PUT', `/digitaltwins/src/relationships/f${i}`, { $targetId: `t${i}`, $relationshipName: 'feeds' })));
    expect(statuses.filter((s) => s === 200)).toHaveLength(allowed);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 400)).toBe(true);
  });
});
