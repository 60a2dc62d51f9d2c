/**
 * The flattened form of a DTDL Interface: everything an instance validator needs, inherited contents
 * included, stored with each model at upload so that no write path ever runs the DTDL parser.
 */
export type PrimitiveSchemaName =
  | 'boolean' | 'date' | 'dateTime' | 'double' | 'duration' | 'float' | 'integer' | 'long' | 'string' | 'time'
  | 'byte' | 'bytes' | 'decimal' | 'short' | 'uuid' | 'unsignedByte' | 'unsignedShort' | 'unsignedInteger' | 'unsignedLong'
  | 'point' | 'lineString' | 'polygon' | 'multiPoint' | 'multiLineString' | 'multiPolygon';

export type DtdlSchema =
  | { kind: 'primitive'; type: PrimitiveSchemaName }
  | { kind: 'enum'; valueSchema: 'integer' | 'string'; values: (string | number)[] }
  | { kind: 'object'; fields: Record<string, DtdlSchema> }
  | { kind: 'map'; valueSchema: DtdlSchema }
  | { kind: 'array'; elementSchema: DtdlSchema };

export interface FlattenedRelationship {
  name: string;
  /** Target interface id, absent when any twin may be the target. */
  target?: string;
  minMultiplicity?: number;
  maxMultiplicity?: number;
  properties: Record<string, DtdlSchema>;
}

export interface FlattenedInterface {
  id: string;
  dtdlVersion: number;
  /** Every ancestor through `extends`, nearest first. */
  bases: string[];
  properties: Record<string, { schema: DtdlSchema; writable: boolean }>;
  /** Telemetry names: declared, but never storable as twin properties. */
  telemetry: string[];
  commands: string[];
  /** Component name → interface id of its schema. */
  components: Record<string, string>;
  relationships: Record<string, FlattenedRelationship>;
}
