import { DomainError } from '@odt/contracts';
import { DtdlParser } from '../parser/dtdl-parser';
import { validateModels } from './validate-models';

const V3 = 'dtmi:dtdl:context;3';
const iface = (id: string, members: Record<string, unknown> = {}) => ({ '@context': V3, '@id': id, '@type': 'Interface', ...members });

const space = iface('dtmi:ex:Space;1', { contents: [{ '@type': 'Property', name: 'name', schema: 'string' }] });
const thermostat = iface('dtmi:ex:Thermostat;1', { contents: [{ '@type': 'Property', name: 'target', schema: 'double' }] });
const room = iface('dtmi:ex:Room;1', {
  displayName: 'Room',
  extends: 'dtmi:ex:Space;1',
  contents: [
    { '@type': 'Component', name: 'thermostat', schema: 'dtmi:ex:Thermostat;1' },
    { '@type': 'Relationship', name: 'hasDevice', target: 'dtmi:ex:Device;1' },
  ],
});

async function rejectionOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the models were accepted');
}

describe('validateModels', () => {
  const parser = new DtdlParser();
  const nothingStored = async () => [];
  afterAll(() => parser.close());

  it('returns each submitted interface with its flattened form and direct references, in request order', async () => {
    const batch = await validateModels([room, thermostat, space], parser, nothingStored);
    expect(batch.interfaces.map((validated) => validated.id)).toEqual(['dtmi:ex:Room;1', 'dtmi:ex:Thermostat;1', 'dtmi:ex:Space;1']);
    const [validatedRoom, validatedThermostat] = batch.interfaces;
    expect(validatedRoom).toMatchObject({
      dtdlVersion: 3,
      document: room,
      displayName: { en: 'Room' },
      description: {},
      dependencies: ['dtmi:ex:Space;1', 'dtmi:ex:Thermostat;1'],
      relationshipTargets: ['dtmi:ex:Device;1'],
      flattened: { id: 'dtmi:ex:Room;1', bases: ['dtmi:ex:Space;1'], components: { thermostat: 'dtmi:ex:Thermostat;1' } },
    });
    expect(Object.keys(validatedRoom.flattened.properties)).toEqual(['name']);
    expect(validatedThermostat).not.toHaveProperty('displayName');
  });

  it('does not count what an interface inherits among its own references', async () => {
    const child = iface('dtmi:ex:Child;1', { extends: 'dtmi:ex:Room;1' });
    const batch = await validateModels([child, room, thermostat, space], parser, nothingStored);
    expect(batch.interfaces[0]).toMatchObject({ dependencies: ['dtmi:ex:Room;1'], relationshipTargets: [] });
    expect(batch.interfaces[0].flattened.bases).toEqual(['dtmi:ex:Room;1', 'dtmi:ex:Space;1']);
  });

  it('resolves references to stored models transitively, asking only for what is missing', async () => {
    const stored = new Map<string, unknown>([
      ['dtmi:ex:Space;1', space],
      ['dtmi:ex:Thermostat;1', iface('dtmi:ex:Thermostat;1', { extends: 'dtmi:ex:Device;1' })],
      ['dtmi:ex:Device;1', iface('dtmi:ex:Device;1')],
    ]);
    const asked: string[][] = [];
    const batch = await validateModels([room], parser, async (ids) => {
      asked.push([...ids].sort());
      return ids.flatMap((id) => (stored.has(id) ? [stored.get(id)] : []));
    });
    expect(batch.interfaces.map((validated) => validated.id)).toEqual(['dtmi:ex:Room;1']);
    expect(asked).toEqual([['dtmi:ex:Space;1', 'dtmi:ex:Thermostat;1'], ['dtmi:ex:Device;1']]);
  });

  it('names every missing reference, found at any depth, with the model that references it', async () => {
    const storedThermostat = iface('dtmi:ex:Thermostat;1', { extends: 'dtmi:ex:Gone;1' });
    const error = await rejectionOf(
      validateModels([room], parser, async (ids) => (ids.includes('dtmi:ex:Thermostat;1') ? [storedThermostat] : [])),
    );
    expect(error.code).toBe('DTDLParserError');
    expect(error.details).toEqual([
      { code: 'unresolvedReference', message: expect.stringContaining('dtmi:ex:Space;1 (referenced by dtmi:ex:Room;1)'), target: 'dtmi:ex:Space;1' },
      { code: 'unresolvedReference', message: expect.stringContaining('dtmi:ex:Gone;1 (referenced by dtmi:ex:Thermostat;1)'), target: 'dtmi:ex:Gone;1' },
    ]);
    expect(error.message).toContain('dtmi:ex:Space;1');
    expect(error.message).toContain('dtmi:ex:Gone;1');
  });

  it('rejects invalid DTDL with one detail per parser error', async () => {
    const invalid = iface('dtmi:ex:Bad;1', { contents: [{ '@type': 'Property', name: '1st', schema: 'double' }] });
    const error = await rejectionOf(validateModels([invalid], parser, nothingStored));
    expect(error.code).toBe('DTDLParserError');
    expect(error.message).toMatch(/^None of the models in this request could be created due to a problem with one or more models: dtmi:ex:Bad;1 has 'contents' value with name '1st'/);
    expect(error.details).toEqual([{ code: 'stringInvalid', message: expect.stringContaining("'1st'"), target: 'dtmi:ex:Bad:_contents:__1st;1' }]);
  });

  it('rejects an Interface defined inline, as ADT does', async () => {
    const withInline = iface('dtmi:ex:Outer;1', { contents: [{ '@type': 'Component', name: 'inner', schema: iface('dtmi:ex:Inner;1') }] });
    const error = await rejectionOf(validateModels([withInline], parser, nothingStored));
    expect(error.details).toEqual([{ code: 'inlineInterface', message: expect.stringContaining('dtmi:ex:Inner;1'), target: 'dtmi:ex:Inner;1' }]);
  });

  it('checks the shape of the batch before parsing', async () => {
    const error = await rejectionOf(validateModels([{ ...space, '@type': 'Property' }], parser, nothingStored));
    expect(error.details?.[0].code).toBe('typeNotRootable');
  });
});
