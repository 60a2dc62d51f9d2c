import type { DtdlSchema, PrimitiveSchemaName } from '@odt/contracts';
import { elementOf, type NamedElementInfo, type ObjectModel, type SchemaElementInfo } from '../object-model';

const PRIMITIVE_NAMES: ReadonlySet<string> = new Set<PrimitiveSchemaName>([
  'boolean', 'date', 'dateTime', 'double', 'duration', 'float', 'integer', 'long', 'string', 'time',
  'byte', 'bytes', 'decimal', 'short', 'uuid', 'unsignedByte', 'unsignedShort', 'unsignedInteger', 'unsignedLong',
  'point', 'lineString', 'polygon', 'multiPoint', 'multiLineString', 'multiPolygon',
]);

/**
 * Primitive schemas are language instances such as `dtmi:dtdl:instance:Schema:double;2`; geospatial
 * ones are `dtmi:standard:schema:geospatial:point;3`, which the object model spells out as Objects
 * of nested Arrays, but which instances validate as the GeoJSON shape they name.
 */
const BUILT_IN_SCHEMA_ID = /^dtmi:(?:dtdl:instance:Schema|standard:schema:geospatial):([A-Za-z]+);[0-9]+$/;

/** Converts the schema element `schemaId` of a parsed model into the compact `DtdlSchema` form. */
export function schemaFromObjectModel(model: ObjectModel, schemaId: string): DtdlSchema {
  const builtIn = BUILT_IN_SCHEMA_ID.exec(schemaId)?.[1];
  if (builtIn && PRIMITIVE_NAMES.has(builtIn)) return { kind: 'primitive', type: builtIn as PrimitiveSchemaName };

  const element = elementOf<SchemaElementInfo>(model, schemaId);
  switch (element.EntityKind) {
    case 'Array':
      return { kind: 'array', elementSchema: schemaFromObjectModel(model, required(element, element.elementSchema)) };
    case 'Map': {
      const mapValue = elementOf<NamedElementInfo>(model, required(element, element.mapValue));
      return { kind: 'map', valueSchema: schemaFromObjectModel(model, required(mapValue, mapValue.schema)) };
    }
    case 'Object':
      return { kind: 'object', fields: namedSchemas(model, element.fields ?? []) };
    case 'Enum':
      return enumSchema(model, element);
    default:
      throw new Error(`${schemaId} is a ${element.EntityKind}, not a schema this library can validate instances of`);
  }
}

/** name → schema of named elements with a `schema` (Object fields, Relationship properties). */
export function namedSchemas(model: ObjectModel, elementIds: string[]): Record<string, DtdlSchema> {
  const schemas: Record<string, DtdlSchema> = {};
  for (const id of elementIds) {
    const element = elementOf<NamedElementInfo>(model, id);
    schemas[element.name] = schemaFromObjectModel(model, required(element, element.schema));
  }
  return schemas;
}

function enumSchema(model: ObjectModel, element: SchemaElementInfo): DtdlSchema {
  const valueSchema = schemaFromObjectModel(model, required(element, element.valueSchema));
  if (valueSchema.kind !== 'primitive' || (valueSchema.type !== 'integer' && valueSchema.type !== 'string')) {
    throw new Error(`Enum ${element.Id} has a valueSchema other than integer or string`);
  }
  const values = (element.enumValues ?? []).map((id) => {
    const value = elementOf<SchemaElementInfo>(model, id).enumValue;
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`EnumValue ${id} has no enumValue`);
    return value;
  });
  return { kind: 'enum', valueSchema: valueSchema.type, values };
}

function required(element: { Id: string }, reference: string | undefined): string {
  if (!reference) throw new Error(`${element.Id} lacks a member the object model always has`);
  return reference;
}
