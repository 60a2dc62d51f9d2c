import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { uniqueDtmiPrefix } from '../support/models';
import { sdkClient } from '../support/sdk';
import { startSystem, type TestSystem } from '../support/system';

const CONCURRENT = 50;

/** Writes to one twin are serialised (ADT §3.1): optimistic concurrency holds and no write is lost. */
describe('per-twin write serialisation', () => {
  let system: TestSystem;
  let client: DigitalTwinsClient;
  let modelId: string;
  let n = 0;
  const twinId = () => `cc-${Date.now().toString(36)}-${n++}`;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'router'] });
    client = sdkClient(system.gatewayUrl);
    modelId = `${uniqueDtmiPrefix()}:Tagged;1`;
    await client.createModels([{
      '@id': modelId,
      '@type': 'Interface',
      '@context': 'dtmi:dtdl:context;3',
      contents: [
        { '@type': 'Property', name: 'Temperature', schema: 'double' },
        { '@type': 'Property', name: 'tags', schema: { '@type': 'Map', mapKey: { name: 'key', schema: 'string' }, mapValue: { name: 'value', schema: 'string' } } },
      ],
    }]);
  });
  afterAll(() => system?.stop());

  /** Status (and error code) of each call, in call order. */
  async function outcomes(calls: Promise<{ etag?: string }>[]): Promise<{ status: number; code?: string; etag?: string }[]> {
    const settled = await Promise.allSettled(calls);
    return settled.map((s) => s.status === 'fulfilled'
      ? { status: 204, etag: s.value.etag }
      : { status: (s.reason as { statusCode: number }).statusCode, code: (s.reason as { code: string }).code });
  }

  it(`lets exactly one of ${CONCURRENT} concurrent PATCHes with the same If-Match through; the others get 412`, async () => {
    const id = twinId();
    const created = await client.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: modelId }, Temperature: -1 }));
    const results = await outcomes(Array.from({ length: CONCURRENT }, (_, i) =>
      client.updateDigitalTwin(id, [{ op: 'replace', path: '/Temperature', value: i }], { ifMatch: created.etag })));

    const winners = results.map((r, i) => ({ ...r, i })).filter((r) => r.status === 204);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 412 && r.code === 'PreconditionFailed')).toHaveLength(CONCURRENT - 1);
    const twin = await client.getDigitalTwin(id);
    expect(twin.body.Temperature).toBe(winners[0].i);
    expect(twin.etag).toBe(winners[0].etag);
  });

  it(`applies all of ${CONCURRENT} concurrent PATCHes without If-Match, each adding its own map entry: none is lost`, async () => {
    const id = twinId();
    await client.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: modelId } }));
    await client.updateDigitalTwin(id, [{ op: 'add', path: '/tags', value: {} }]);
    const results = await outcomes(Array.from({ length: CONCURRENT }, (_, i) =>
      client.updateDigitalTwin(id, [{ op: 'add', path: `/tags/k${i}`, value: `v${i}` }])));

    expect(results.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(204));
    // Each write produced its own version.
    expect(new Set(results.map((r) => r.etag)).size).toBe(CONCURRENT);
    const twin = (await client.getDigitalTwin(id)).body;
    expect(twin.tags).toEqual(Object.fromEntries(Array.from({ length: CONCURRENT }, (_, i) => [`k${i}`, `v${i}`])));
    expect(twin.$metadata.tags.lastUpdateTime).toBe(twin.$metadata.$lastUpdateTime);
  });
});
