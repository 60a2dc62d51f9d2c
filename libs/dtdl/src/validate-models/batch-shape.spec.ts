import { DomainError } from '@odt/contracts';
import { interfacesOfBatch } from './batch-shape';

const room = { '@context': 'dtmi:dtdl:context;3', '@id': 'dtmi:ex:Room;1', '@type': 'Interface' };

function rejectionOf(documents: unknown): DomainError {
  try {
    interfacesOfBatch(documents);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the batch was accepted');
}

describe('interfacesOfBatch', () => {
  it('returns a batch of Interfaces as they are', () => {
    const other = { ...room, '@id': 'dtmi:ex:Other', '@type': ['Interface', 'Mqtt'] };
    expect(interfacesOfBatch([room, other])).toEqual([room, other]);
  });

  it('accepts the Interface class IRI as @type', () => {
    expect(interfacesOfBatch([{ ...room, '@type': 'dtmi:dtdl:class:Interface;3' }])).toHaveLength(1);
  });

  it('rejects a body that is not an array, or an empty one, with InvalidArgument', () => {
    expect(rejectionOf(room).code).toBe('InvalidArgument');
    expect(rejectionOf([]).code).toBe('InvalidArgument');
  });

  it('rejects every malformed element with DTDLParserError, one detail each', () => {
    const error = rejectionOf([42, { ...room, '@type': 'Property' }, { ...room, '@id': undefined }, { ...room, '@id': 'urn:ex:Room' }, room]);
    expect(error.code).toBe('DTDLParserError');
    expect(error.details?.map((detail) => detail.code)).toEqual(['notJsonObject', 'typeNotRootable', 'missingTopLevelId', 'invalidId']);
    expect(error.message).toMatch(/^None of the models in this request could be created due to a problem with one or more models: The element at index 0 /);
  });

  it('rejects an @id used twice in the batch', () => {
    const error = rejectionOf([room, { ...room }]);
    expect(error.details).toEqual([{ code: 'duplicateDefinition', message: 'The model dtmi:ex:Room;1 appears more than once in the request.', target: 'dtmi:ex:Room;1' }]);
  });

  it('refuses DTDL v4 (a preview ADT does not run) with ModelVersionNotSupported, accepting v2 and v3', () => {
    const v4 = { ...room, '@id': 'dtmi:ex:Four;1', '@context': 'dtmi:dtdl:context;4' };
    expect(rejectionOf([room, v4]).code).toBe('ModelVersionNotSupported');
    expect(rejectionOf([{ ...v4, '@context': ['dtmi:dtdl:context;4', 'dtmi:dtdl:extension:quantitativeTypes;2'] }]).code).toBe('ModelVersionNotSupported');
    expect(interfacesOfBatch([{ ...room, '@context': 'dtmi:dtdl:context;2' }, { ...room, '@id': 'dtmi:ex:Three;1', '@context': ['dtmi:dtdl:context;3'] }])).toHaveLength(2);
  });
});
