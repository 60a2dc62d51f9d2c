import { ontologyInterfaces } from '../fixtures';
import { startSystem, type TestSystem } from '../support/system';

/** Each real ontology uploads through POST /models in one call, as ADT accepts them (but without its 250 cap). */
describe('real DTDL ontologies through POST /models', () => {
  let system: TestSystem;
  const timings: Record<string, string> = {};

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'router', 'twins'] });
  });
  afterAll(async () => {
    console.log(`ontology upload times (one POST /models each): ${JSON.stringify(timings, null, 2)}`);
    await system?.stop();
  });

  async function upload(name: string, models: unknown[]): Promise<void> {
    const started = performance.now();
    const res = await fetch(`${system.gatewayUrl}/models?api-version=2023-10-31`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(models),
    });
    const elapsed = performance.now() - started;
    const body = (await res.json()) as { error?: unknown; length: number };
    expect({ status: res.status, error: body.error }).toEqual({ status: 201, error: undefined });
    expect(body).toHaveLength(models.length);
    timings[name] = `${models.length} models in ${elapsed.toFixed(0)} ms`;
  }

  // RealEstateCore v2 and v3 share their DTMIs, so v2 goes into a second, clean instance below.
  it('uploads RealEstateCore v3 (768 interfaces) in a single call', async () => {
    await upload('RealEstateCore v3', ontologyInterfaces('realestatecore-v3'));
  });

  it('uploads Smart Cities, Energy Grid and the ADT samples', async () => {
    await upload('Smart Cities', ontologyInterfaces('smartcities'));
    await upload('Energy Grid', ontologyInterfaces('energygrid'));
    await upload('digital-twins-samples', ontologyInterfaces('digital-twins-samples'));
  });

  it('uploads RealEstateCore v2 (768 interfaces) in a single call into a fresh instance', async () => {
    const other = await startSystem({ without: ['relationships', 'router', 'twins'] });
    const previous = system;
    system = other;
    try {
      await upload('RealEstateCore v2', ontologyInterfaces('realestatecore-v2'));
    } finally {
      system = previous;
      await other.stop();
    }
  });

  it('accepts 2,000 interfaces in one call (ADT stops at 250), all or nothing', async () => {
    const prefix = `dtmi:bulk:b${Date.now().toString(36)}`;
    const models = Array.from({ length: 2000 }, (_, i) => ({
      '@id': `${prefix}:M${i};1`,
      '@type': 'Interface',
      '@context': 'dtmi:dtdl:context;3',
      // 50 roots; every other interface extends one (DTDL caps extends depth at 10).
      ...(i >= 50 ? { extends: `${prefix}:M${i % 50};1` } : {}),
      contents: [{ '@type': 'Property', name: `p${i}`, schema: 'double' }],
    }));
    await upload('2,000 generated interfaces', models.reverse());
  });
});
