import type { DtdlSchema, PrimitiveSchemaName } from '@odt/contracts';
import { compileSchemaValidator } from './schema-validator';

const primitive = (type: PrimitiveSchemaName): DtdlSchema => ({ kind: 'primitive', type });
const conforms = (schema: DtdlSchema, value: unknown) => compileSchemaValidator(schema)(value).length === 0;

describe('compileSchemaValidator: primitives', () => {
  it.each<[PrimitiveSchemaName, unknown, unknown]>([
    ['boolean', false, 'false'],
    ['integer', -2147483648, 2147483648],
    ['integer', 2147483647, 1.5],
    ['long', Number.MAX_SAFE_INTEGER, 2 ** 53],
    ['long', -42, '42'],
    ['double', -1.5e300, Infinity],
    ['double', 0, null],
    ['float', 3.4028234e38, 3.4028236e38],
    ['string', 'é'.repeat(2048), 'é'.repeat(2049)],
    ['string', '', 1],
    ['date', '2024-02-29', '2023-02-29'],
    ['dateTime', '2024-01-31T23:59:59.123+05:30', '2024-01-31 23:59:59Z'],
    ['time', '23:59:59Z', '23:59:59'],
    ['duration', 'P1Y2M3DT4H5M6.5S', 'P1Y2W'],
    ['byte', -128, 128],
    ['short', 32767, -32769],
    ['unsignedByte', 255, -1],
    ['unsignedShort', 65535, 65536],
    ['unsignedInteger', 4294967295, 4294967296],
    ['unsignedLong', 0, -1],
    ['decimal', '-12.50', '1e5'],
    ['bytes', 'aGk=', 'aGk'],
    ['uuid', '123e4567-e89b-12d3-a456-426614174000', '123e4567e89b12d3a456426614174000'],
  ])('%s accepts %p and rejects %p', (type, valid, invalid) => {
    expect(conforms(primitive(type), valid)).toBe(true);
    expect(conforms(primitive(type), invalid)).toBe(false);
  });

  it('explains what was expected', () => {
    expect(compileSchemaValidator(primitive('integer'))('12', '/count')).toEqual([
      { path: '/count', message: 'Expected a 32-bit integer, got "12".' },
    ]);
  });
});

describe('compileSchemaValidator: geospatial', () => {
  const ring = [[0, 0], [1, 0], [1, 1], [0, 0]];
  it.each<[PrimitiveSchemaName, unknown, unknown]>([
    ['point', { type: 'Point', coordinates: [47.6, -122.1] }, { type: 'Point', coordinates: [47.6] }],
    ['point', { type: 'Point', coordinates: [1, 2, 3] }, { type: 'LineString', coordinates: [1, 2] }],
    ['lineString', { type: 'LineString', coordinates: [[0, 0], [1, 1]] }, { type: 'LineString', coordinates: [[0, 0]] }],
    ['polygon', { type: 'Polygon', coordinates: [ring] }, { type: 'Polygon', coordinates: [ring.slice(0, 3)] }],
    ['multiPoint', { type: 'MultiPoint', coordinates: [[0, 0], [1, 1]] }, { type: 'MultiPoint', coordinates: [[0, '1']] }],
    ['multiLineString', { type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]]] }, { type: 'MultiLineString', coordinates: [[0, 0]] }],
    ['multiPolygon', { type: 'MultiPolygon', coordinates: [[ring]] }, { type: 'MultiPolygon', coordinates: [ring] }],
  ])('%s accepts %j and rejects %j', (type, valid, invalid) => {
    expect(conforms(primitive(type), valid)).toBe(true);
    expect(conforms(primitive(type), invalid)).toBe(false);
  });

  it('rejects members GeoJSON geometry does not have in DTDL', () => {
    expect(conforms(primitive('point'), { type: 'Point', coordinates: [0, 0], bbox: [0, 0, 0, 0] })).toBe(false);
  });
});

describe('compileSchemaValidator: complex schemas', () => {
  const colour: DtdlSchema = { kind: 'enum', valueSchema: 'string', values: ['red', 'green'] };
  const level: DtdlSchema = { kind: 'enum', valueSchema: 'integer', values: [1, 2] };
  const address: DtdlSchema = { kind: 'object', fields: { city: primitive('string'), floor: primitive('integer') } };
  const readings: DtdlSchema = { kind: 'map', valueSchema: primitive('double') };
  const samples: DtdlSchema = { kind: 'array', elementSchema: primitive('double') };

  it('an enum accepts its values only, of its value schema', () => {
    expect(conforms(colour, 'red')).toBe(true);
    expect(conforms(colour, 'blue')).toBe(false);
    expect(conforms(level, 2)).toBe(true);
    expect(conforms(level, '2')).toBe(false);
  });

  it('an object accepts a subset of its fields, each valid', () => {
    expect(conforms(address, { city: 'Turin' })).toBe(true);
    expect(conforms(address, {})).toBe(true);
    expect(compileSchemaValidator(address)({ city: 'Turin', floor: 'third', zip: '10100' }, '/address')).toEqual([
      { path: '/address/floor', message: 'Expected a 32-bit integer, got "third".' },
      { path: '/address/zip', message: "'zip' is not a field of this object." },
    ]);
  });

  it('an object rejects arrays and null', () => {
    expect(conforms(address, [])).toBe(false);
    expect(conforms(address, null)).toBe(false);
  });

  it('a map accepts any keys but empty or $-prefixed ones, with valid values', () => {
    expect(conforms(readings, { kitchen: 21.5, 'living room/2': 20 })).toBe(true);
    expect(compileSchemaValidator(readings)({ 'a/b': 'x', $meta: 1, '': 2 }, '/r')).toEqual([
      { path: '/r/a~1b', message: 'Expected a finite number, got "x".' },
      { path: '/r/$meta', message: "The map key '$meta' must not start with '$'." },
      { path: '/r/', message: 'A map key must not be empty.' },
    ]);
  });

  it('an array accepts valid elements only', () => {
    expect(conforms(samples, [])).toBe(true);
    expect(compileSchemaValidator(samples)([1, 'two', 3], '/s')).toEqual([{ path: '/s/1', message: 'Expected a finite number, got "two".' }]);
    expect(conforms(samples, { 0: 1 })).toBe(false);
  });

  it('nests', () => {
    const nested: DtdlSchema = { kind: 'array', elementSchema: { kind: 'map', valueSchema: address } };
    expect(conforms(nested, [{ home: { city: 'Turin' } }])).toBe(true);
    expect(compileSchemaValidator(nested)([{ home: { floor: 1.5 } }])).toEqual([
      { path: '/0/home/floor', message: 'Expected a 32-bit integer, got 1.5.' },
    ]);
  });

  it('a field named like an Object.prototype member is still undeclared', () => {
    expect(conforms(address, { constructor: 'x' })).toBe(false);
  });
});
