import type { PrimitiveSchemaName } from '@odt/contracts';
import { geoJsonTypeOf, isGeometry, type GeospatialSchemaName } from './geojson';
import { isDate, isDateTime, isDuration, isTime } from './temporal-formats';

export interface PrimitiveCheck {
  test(value: unknown): boolean;
  /** What a valid value is, for problem messages ("a 32-bit integer"). */
  expected: string;
}

/** ADT's limit on a string property value. */
export const MAX_STRING_BYTES = 4096;
/** Numbers at or above this magnitude round to infinity as IEEE single precision. */
const FLOAT_OVERFLOW = 3.4028235677973366e38;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const integerIn = (min: number, max: number) => (value: unknown) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
const stringMatching = (test: (text: string) => boolean) => (value: unknown) => isString(value) && test(value);
const geometry = (schema: GeospatialSchemaName): PrimitiveCheck => ({
  test: (value) => isGeometry(schema, value),
  expected: `a GeoJSON ${geoJsonTypeOf(schema)}`,
});

const CHECKS: Record<PrimitiveSchemaName, PrimitiveCheck> = {
  boolean: { test: (value) => typeof value === 'boolean', expected: 'a boolean' },
  integer: { test: integerIn(-2147483648, 2147483647), expected: 'a 32-bit integer' },
  // Beyond 2^53 a JSON number may already have been rounded when parsed, so it cannot be trusted.
  long: { test: (value) => Number.isSafeInteger(value), expected: 'an integer within ±(2^53 − 1)' },
  double: { test: isNumber, expected: 'a finite number' },
  float: { test: (value) => isNumber(value) && Math.abs(value) < FLOAT_OVERFLOW, expected: 'a number within the float range' },
  string: { test: (value) => isString(value) && Buffer.byteLength(value, 'utf8') <= MAX_STRING_BYTES, expected: `a string of at most ${MAX_STRING_BYTES} UTF-8 bytes` },
  date: { test: stringMatching(isDate), expected: 'an RFC 3339 date (YYYY-MM-DD)' },
  dateTime: { test: stringMatching(isDateTime), expected: 'an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.f](Z|±hh:mm))' },
  time: { test: stringMatching(isTime), expected: 'an RFC 3339 time (hh:mm:ss[.f](Z|±hh:mm))' },
  duration: { test: stringMatching(isDuration), expected: 'an ISO 8601 duration (e.g. P1DT2H)' },
  byte: { test: integerIn(-128, 127), expected: 'an 8-bit integer' },
  short: { test: integerIn(-32768, 32767), expected: 'a 16-bit integer' },
  unsignedByte: { test: integerIn(0, 255), expected: 'an unsigned 8-bit integer' },
  unsignedShort: { test: integerIn(0, 65535), expected: 'an unsigned 16-bit integer' },
  unsignedInteger: { test: integerIn(0, 4294967295), expected: 'an unsigned 32-bit integer' },
  unsignedLong: { test: (value) => Number.isSafeInteger(value) && (value as number) >= 0, expected: 'an unsigned integer up to 2^53 − 1' },
  decimal: { test: stringMatching((text) => DECIMAL.test(text)), expected: 'a decimal number in a string' },
  bytes: { test: stringMatching((text) => BASE64.test(text)), expected: 'a base64 string' },
  uuid: { test: stringMatching((text) => UUID.test(text)), expected: 'a UUID string' },
  point: geometry('point'),
  lineString: geometry('lineString'),
  polygon: geometry('polygon'),
  multiPoint: geometry('multiPoint'),
  multiLineString: geometry('multiLineString'),
  multiPolygon: geometry('multiPolygon'),
};

export function primitiveCheck(type: PrimitiveSchemaName): PrimitiveCheck {
  return CHECKS[type];
}
