import { allowedRelationships, flattenModel, parseScalar, patchOf, schemaOf, undeclared } from './dtdl';

const ctx = 'dtmi:dtdl:context;3';
const models = new Map<string, Record<string, unknown>>([
  ['dtmi:x:Space;1', { '@id': 'dtmi:x:Space;1', '@type': 'Interface', '@context': ctx, contents: [
    { '@type': 'Property', name: 'name', schema: 'string' },
    { '@type': ['Property', 'Temperature'], name: 'temp', schema: 'double', unit: 'degreeCelsius' },
    { '@type': 'Relationship', name: 'contains', target: 'dtmi:x:Space;1' },
  ] }],
  ['dtmi:x:Room;1', { '@id': 'dtmi:x:Room;1', '@type': 'Interface', '@context': ctx, extends: ['dtmi:x:Space;1'],
    schemas: [{ '@id': 'dtmi:x:Status;1', '@type': 'Enum', valueSchema: 'integer', enumValues: [{ name: 'ok', enumValue: 0, displayName: { en: 'OK' } }, { name: 'fault', enumValue: 1 }] }],
    contents: [
      { '@type': 'Property', name: 'status', schema: 'dtmi:x:Status;1' },
      { '@type': 'Property', name: 'tags', schema: { '@type': 'Map', mapKey: { name: 'tag', schema: 'string' }, mapValue: { name: 'v', schema: 'string' } } },
      { '@type': 'Property', name: 'where', schema: 'point', writable: false },
      { '@type': 'Component', name: 'thermostat', schema: 'dtmi:x:Thermostat;1' },
      { '@type': 'Relationship', name: 'feeds', target: 'dtmi:x:Room;1', properties: [{ '@type': 'Property', name: 'weight', schema: 'double' }] },
    ] }],
  ['dtmi:x:Thermostat;1', { '@id': 'dtmi:x:Thermostat;1', '@type': 'Interface', '@context': ctx, contents: [{ '@type': 'Property', name: 'setPoint', schema: 'double' }] }],
]);

describe('DTDL in the inspector', () => {
  const room = flattenModel('dtmi:x:Room;1', models);
  const space = flattenModel('dtmi:x:Space;1', models);

  it('folds in what a model extends, with components and relationships', () => {
    expect(room.ancestry).toEqual(['dtmi:x:Room;1', 'dtmi:x:Space;1']);
    expect(room.properties.map((p) => p.name)).toEqual(['status', 'tags', 'where', 'name', 'temp']);
    expect(room.components).toEqual([{ name: 'thermostat', model: 'dtmi:x:Thermostat;1' }]);
    expect(room.relationships.map((r) => r.name)).toEqual(['feeds', 'contains']);
    expect(room.properties.find((p) => p.name === 'where')).toMatchObject({ writable: false, schema: { kind: 'geospatial', type: 'point' } });
  });

  it('resolves enums (named in schemas), maps, objects and arrays', () => {
    expect(room.properties[0].schema).toEqual({ kind: 'enum', valueSchema: 'integer', values: [{ name: 'ok', value: 0, label: 'OK' }, { name: 'fault', value: 1, label: 'fault' }] });
    expect(room.properties[1].schema).toEqual({ kind: 'map', keyName: 'tag', value: { kind: 'primitive', type: 'string' } });
    expect(schemaOf({ '@type': 'Object', fields: [{ name: 'x', schema: 'double' }] }, new Map())).toEqual({ kind: 'object', fields: [{ name: 'x', schema: { kind: 'primitive', type: 'double' } }] });
    expect(schemaOf({ '@type': 'Array', elementSchema: 'string' }, new Map())).toEqual({ kind: 'array', element: { kind: 'primitive', type: 'string' } });
  });

  it('offers only the relationships a source model allows to a target', () => {
    expect(allowedRelationships(room, room).map((r) => r.name)).toEqual(['feeds', 'contains']);
    expect(allowedRelationships(room, space).map((r) => r.name)).toEqual(['contains']);
    expect(allowedRelationships(space, room).map((r) => r.name)).toEqual(['contains']);
  });

  it('writes a JSON Patch of what changed: add, replace, remove, under a component path', () => {
    const before = { name: 'R', temp: 20, tags: { a: '1' } };
    const after = { name: 'R', temp: 21, tags: { a: '1', b: '2' }, status: 1 };
    expect(patchOf(before, after, ['name', 'temp', 'tags', 'status'])).toEqual([
      { op: 'replace', path: '/temp', value: 21 }, { op: 'replace', path: '/tags', value: { a: '1', b: '2' } }, { op: 'add', path: '/status', value: 1 },
    ]);
    expect(patchOf({ setPoint: 20 }, {}, ['setPoint'], '/thermostat')).toEqual([{ op: 'remove', path: '/thermostat/setPoint' }]);
    expect(patchOf({}, { 'a/b': 1 }, ['a/b'])).toEqual([{ op: 'add', path: '/a~1b', value: 1 }]);
  });

  it('flags values the model does not declare, and parses inputs by schema', () => {
    expect(undeclared({ $dtId: 'r', name: 'R', thermostat: {}, colour: 'red' }, room)).toEqual(['colour']);
    expect(parseScalar('double', '21.5')).toBe(21.5);
    expect(parseScalar('boolean', 'true')).toBe(true);
    expect(parseScalar('string', '')).toBeUndefined();
    expect(() => parseScalar('integer', 'many')).toThrow('many is not a number');
  });
});
