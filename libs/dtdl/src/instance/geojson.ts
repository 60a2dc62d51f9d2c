import type { PrimitiveSchemaName } from '@odt/contracts';

export type GeospatialSchemaName = Extract<PrimitiveSchemaName, 'point' | 'lineString' | 'polygon' | 'multiPoint' | 'multiLineString' | 'multiPolygon'>;

/** RFC 7946 geometry: the GeoJSON `type` and the check of `coordinates` for each DTDL geospatial schema. */
const GEOMETRIES: Record<GeospatialSchemaName, { type: string; coordinates: (value: unknown) => boolean }> = {
  point: { type: 'Point', coordinates: isPosition },
  lineString: { type: 'LineString', coordinates: isLineString },
  polygon: { type: 'Polygon', coordinates: isPolygon },
  multiPoint: { type: 'MultiPoint', coordinates: (value) => everyOf(value, isPosition) },
  multiLineString: { type: 'MultiLineString', coordinates: (value) => everyOf(value, isLineString) },
  multiPolygon: { type: 'MultiPolygon', coordinates: (value) => everyOf(value, isPolygon) },
};

export function isGeometry(schema: GeospatialSchemaName, value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { type, coordinates, ...others } = value as Record<string, unknown>;
  const geometry = GEOMETRIES[schema];
  return type === geometry.type && geometry.coordinates(coordinates) && Object.keys(others).length === 0;
}

export function geoJsonTypeOf(schema: GeospatialSchemaName): string {
  return GEOMETRIES[schema].type;
}

/** Longitude, latitude and optionally altitude. */
function isPosition(value: unknown): boolean {
  return Array.isArray(value) && value.length >= 2 && value.every((n) => typeof n === 'number' && Number.isFinite(n));
}

function isLineString(value: unknown): boolean {
  return Array.isArray(value) && value.length >= 2 && value.every(isPosition);
}

/** A closed ring of at least four positions, the last equal to the first. */
function isLinearRing(value: unknown): boolean {
  if (!Array.isArray(value) || value.length < 4 || !value.every(isPosition)) return false;
  const first = value[0] as number[];
  const last = value[value.length - 1] as number[];
  return first.length === last.length && first.every((n, i) => n === last[i]);
}

function isPolygon(value: unknown): boolean {
  return Array.isArray(value) && value.length >= 1 && value.every(isLinearRing);
}

function everyOf(value: unknown, check: (item: unknown) => boolean): boolean {
  return Array.isArray(value) && value.every(check);
}
