import { Client } from 'pg';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/**
 * No relationship may ever point from or to a twin that does not exist, even when twin deletes and
 * relationship creates race. The mechanism is the foreign keys from relationships to twins.
 */
describe('graph integrity under concurrency', () => {
  let system: TestSystem;
  let m: ReturnType<typeof buildingModels>;

  beforeAll(async () => {
    system = await startSystem({ without: ['router'] });
    m = buildingModels(uniqueDtmiPrefix());
    await call('POST', '/models', m.all);
  });
  afterAll(() => system?.stop());

  async function call(method: string, route: string, body?: unknown): Promise<{ status: number; code: string | null }> {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return { status: res.status, code: res.headers.get('x-ms-error-code') };
  }

  it('keeps every relationship attached to existing twins across 300 racing delete/create pairs', async () => {
    const space = { $metadata: { $model: m.space['@id'] } };
    const outcomes = { deleted: 0, linked: 0 };
    for (let batch = 0; batch < 15; batch++) {
      await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const [a, b] = [`a-${batch}-${i}`, `b-${batch}-${i}`];
        expect((await call('PUT', `/digitaltwins/${a}`, space)).status).toBe(200);
        expect((await call('PUT', `/digitaltwins/${b}`, space)).status).toBe(200);
        const [del, out, inc] = await Promise.all([
          call('DELETE', `/digitaltwins/${b}`),
          call('PUT', `/digitaltwins/${a}/relationships/to-b`, { $targetId: b, $relationshipName: 'feeds' }),
          call('PUT', `/digitaltwins/${b}/relationships/to-a`, { $targetId: a, $relationshipName: 'feeds' }),
        ]);
        if (del.status === 204) {
          // The twin is gone, so neither relationship may exist.
          expect([out.status, inc.status]).toEqual([404, 404]);
          expect([out.code, inc.code]).toEqual(['TargetDigitalTwinNotFound', 'DigitalTwinNotFound']);
          outcomes.deleted++;
        } else {
          expect(del).toEqual({ status: 400, code: 'RelationshipsNotDeleted' });
          expect([out.status, inc.status]).toContain(200);
          outcomes.linked++;
        }
      }));
    }
    const db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`
        SELECT count(*)::int AS dangling FROM relationships.relationships r
        LEFT JOIN twins.twins s ON s.id = r.source_id LEFT JOIN twins.twins t ON t.id = r.target_id
        WHERE s.id IS NULL OR t.id IS NULL`);
      expect(rows[0].dangling).toBe(0);
    } finally {
      await db.end();
    }
    // Both orders of the race happened, so the test exercised both sides of it.
    console.log(`graph integrity race: ${JSON.stringify(outcomes)}`);
    expect(outcomes.deleted + outcomes.linked).toBe(300);
  });
});
