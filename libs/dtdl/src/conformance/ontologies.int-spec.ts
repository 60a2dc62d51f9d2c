import type { FlattenedInterface } from '@odt/contracts';
import { compileInterfaceValidator } from '../instance/instance-validator';
import { DtdlParser } from '../parser/dtdl-parser';
import { validateModels } from '../validate-models/validate-models';
import { ontologyInterfaces } from './conformance-files';

const ONTOLOGIES: Array<[name: string, folder: string, interfaces: number]> = [
  ['RealEstateCore v3', 'opendigitaltwins-building/dtdl-v3', 768],
  ['RealEstateCore v2', 'opendigitaltwins-building/dtdl-v2', 768],
  ['Smart Cities', 'opendigitaltwins-smartcities', 63],
  ['Energy Grid', 'opendigitaltwins-energygrid', 113],
  ['digital-twins-samples', 'digital-twins-samples', 11],
];

/** Real ontologies (test/fixtures/ontologies) must be accepted whole, as one POST /models batch each. */
describe('validateModels on real ontologies', () => {
  const parser = new DtdlParser();
  const timings: string[] = [];
  const flattenedById = new Map<string, FlattenedInterface>();
  afterAll(async () => {
    await parser.close();
    console.log(`Ontology batches through validateModels:\n${timings.join('\n')}`);
  });

  it.each(ONTOLOGIES)('accepts and flattens every interface of %s', async (name, folder, expectedCount) => {
    const batch = ontologyInterfaces(folder);
    const started = performance.now();
    const validated = await validateModels(batch, parser, async () => []);
    timings.push(`  ${name}: ${batch.length} interfaces in ${Math.round(performance.now() - started)} ms`);

    expect(validated.interfaces).toHaveLength(expectedCount);
    for (const { id, flattened } of validated.interfaces) {
      expect(flattened.id).toBe(id);
      expect(flattened.bases).not.toContain(id);
      flattenedById.set(id, flattened);
    }
  }, 60_000);

  it('gives a RealEstateCore v3 Room what it inherits from Space, and validates twins of it', () => {
    const room = flattenedById.get('dtmi:digitaltwins:rec_3_3:core:Room;1');
    if (!room) throw new Error('RealEstateCore v3 was not validated');
    expect(room.bases[0]).toBe('dtmi:digitaltwins:rec_3_3:core:Space;1');
    expect(room.properties.personCapacity).toEqual({ schema: { kind: 'primitive', type: 'integer' }, writable: true });
    expect(room.properties.customTags.schema).toEqual({ kind: 'map', valueSchema: { kind: 'primitive', type: 'boolean' } });
    expect(room.relationships.isPartOf).toMatchObject({ target: 'dtmi:digitaltwins:rec_3_3:core:Space;1' });

    const validateRoom = compileInterfaceValidator(room, (id) => flattenedById.get(id) ?? fail(id));
    const components = Object.fromEntries(Object.keys(room.components).map((name) => [name, { $metadata: {} }]));
    expect(validateRoom({ ...components, name: 'Kitchen', personCapacity: 4, customTags: { cosy: true } })).toEqual([]);
    expect(validateRoom({ ...components, personCapacity: 'four' })).toEqual([
      { path: '/personCapacity', message: 'Expected a 32-bit integer, got "four".' },
    ]);
  });
});

function fail(id: string): never {
  throw new Error(`No flattened interface ${id}`);
}
