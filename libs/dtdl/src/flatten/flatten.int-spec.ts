import type { FlattenedInterface } from '@odt/contracts';
import type { ObjectModel } from '../object-model';
import { DtdlParser } from '../parser/dtdl-parser';
import { flattenInterface } from './flatten';

const V3 = 'dtmi:dtdl:context;3';

const models = [
  {
    '@context': V3,
    '@id': 'dtmi:ex:Room;1',
    '@type': 'Interface',
    extends: ['dtmi:ex:Space;1', 'dtmi:ex:Monitored;1'],
    contents: [
      { '@type': 'Property', name: 'address', schema: 'dtmi:ex:Room:Address;1', writable: true },
      { '@type': 'Property', name: 'location', schema: 'point' },
      { '@type': 'Property', name: 'area', schema: 'dtmi:standard:schema:geospatial:polygon;3' },
      {
        '@type': 'Property',
        name: 'mode',
        schema: { '@type': 'Enum', valueSchema: 'string', enumValues: [{ name: 'eco', enumValue: 'ECO' }, { name: 'comfort', enumValue: 'COMFORT' }] },
      },
      {
        '@type': 'Property',
        name: 'setpoints',
        schema: { '@type': 'Map', mapKey: { name: 'hour', schema: 'string' }, mapValue: { name: 'celsius', schema: 'double' } },
      },
      { '@type': 'Property', name: 'tags', schema: { '@type': 'Array', elementSchema: 'string' } },
      { '@type': 'Telemetry', name: 'temperature', schema: 'double' },
      { '@type': 'Command', name: 'reboot' },
      { '@type': 'Component', name: 'thermostat', schema: 'dtmi:ex:Thermostat;1' },
      {
        '@type': 'Relationship',
        name: 'contains',
        target: 'dtmi:ex:Device;1',
        minMultiplicity: 0,
        maxMultiplicity: 5,
        properties: [{ '@type': 'Property', name: 'since', schema: 'date' }],
      },
    ],
    schemas: [
      {
        '@id': 'dtmi:ex:Room:Address;1',
        '@type': 'Object',
        fields: [
          { name: 'city', schema: 'string' },
          { name: 'floors', schema: { '@type': 'Array', elementSchema: { '@type': 'Enum', valueSchema: 'integer', enumValues: [{ name: 'ground', enumValue: 0 }] } } },
        ],
      },
    ],
  },
  { '@context': V3, '@id': 'dtmi:ex:Space;1', '@type': 'Interface', extends: 'dtmi:ex:Thing;1', contents: [{ '@type': 'Property', name: 'name', schema: 'string' }] },
  { '@context': V3, '@id': 'dtmi:ex:Monitored;1', '@type': 'Interface', extends: 'dtmi:ex:Thing;1', contents: [{ '@type': 'Telemetry', name: 'alarm', schema: 'boolean' }] },
  { '@context': V3, '@id': 'dtmi:ex:Thing;1', '@type': 'Interface', contents: [{ '@type': 'Relationship', name: 'isPartOf' }] },
  { '@context': V3, '@id': 'dtmi:ex:Thermostat;1', '@type': 'Interface', contents: [{ '@type': 'Property', name: 'target', schema: 'float', writable: true }] },
];

describe('flattenInterface', () => {
  const parser = new DtdlParser();
  let model: ObjectModel;

  beforeAll(async () => {
    const outcome = await parser.parse(models);
    if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
    model = outcome.objectModel;
  });
  afterAll(() => parser.close());

  it('flattens contents, inherited ones included, with every schema in compact form', () => {
    expect(flattenInterface(model, 'dtmi:ex:Room;1')).toEqual<FlattenedInterface>({
      id: 'dtmi:ex:Room;1',
      dtdlVersion: 3,
      bases: ['dtmi:ex:Space;1', 'dtmi:ex:Monitored;1', 'dtmi:ex:Thing;1'],
      properties: {
        address: {
          writable: true,
          schema: {
            kind: 'object',
            fields: {
              city: { kind: 'primitive', type: 'string' },
              floors: { kind: 'array', elementSchema: { kind: 'enum', valueSchema: 'integer', values: [0] } },
            },
          },
        },
        location: { writable: false, schema: { kind: 'primitive', type: 'point' } },
        area: { writable: false, schema: { kind: 'primitive', type: 'polygon' } },
        mode: { writable: false, schema: { kind: 'enum', valueSchema: 'string', values: ['ECO', 'COMFORT'] } },
        setpoints: { writable: false, schema: { kind: 'map', valueSchema: { kind: 'primitive', type: 'double' } } },
        tags: { writable: false, schema: { kind: 'array', elementSchema: { kind: 'primitive', type: 'string' } } },
        name: { writable: false, schema: { kind: 'primitive', type: 'string' } },
      },
      telemetry: ['temperature', 'alarm'],
      commands: ['reboot'],
      components: { thermostat: 'dtmi:ex:Thermostat;1' },
      relationships: {
        contains: {
          name: 'contains',
          target: 'dtmi:ex:Device;1',
          minMultiplicity: 0,
          maxMultiplicity: 5,
          properties: { since: { kind: 'primitive', type: 'date' } },
        },
        isPartOf: { name: 'isPartOf', properties: {} },
      },
    });
  });

  it('lists a diamond ancestor once, after the nearer ones', () => {
    expect(flattenInterface(model, 'dtmi:ex:Room;1').bases).toEqual(['dtmi:ex:Space;1', 'dtmi:ex:Monitored;1', 'dtmi:ex:Thing;1']);
    expect(flattenInterface(model, 'dtmi:ex:Thing;1').bases).toEqual([]);
  });

  it('refuses an id that is not an Interface', () => {
    expect(() => flattenInterface(model, 'dtmi:ex:Room:Address;1')).toThrow('not an Interface');
  });

  it('flattens DTDL v2, where writable defaults to false', async () => {
    const outcome = await parser.parse([
      {
        '@context': 'dtmi:dtdl:context;2',
        '@id': 'dtmi:ex:Sensor;1',
        '@type': 'Interface',
        contents: [
          { '@type': ['Property', 'Temperature'], name: 'reading', schema: 'double', unit: 'degreeCelsius' },
          { '@type': 'Relationship', name: 'feeds', target: 'dtmi:ex:Sensor;1' },
        ],
      },
    ]);
    if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
    expect(flattenInterface(outcome.objectModel, 'dtmi:ex:Sensor;1')).toMatchObject({
      dtdlVersion: 2,
      properties: { reading: { schema: { kind: 'primitive', type: 'double' }, writable: false } },
      relationships: { feeds: { name: 'feeds', target: 'dtmi:ex:Sensor;1', properties: {} } },
    });
  });
});
