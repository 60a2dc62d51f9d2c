/**
 * The parts of DTDLParser's JSON object model (entity id → element) that this library reads.
 * The parser's own typings (`@digicatapult/dtdl-parser/types/DtdlOm.d.ts`) miss the geospatial
 * and nullable members, so the shapes we depend on are stated here.
 */
export type LanguageMap = Record<string, string>;

export interface ElementInfo {
  Id: string;
  EntityKind: string;
  ClassId?: string;
  languageMajorVersion: number;
  displayName?: LanguageMap;
  description?: LanguageMap;
  ChildOf?: string | null;
  DefinedIn?: string | null;
}

export interface InterfaceInfo extends ElementInfo {
  EntityKind: 'Interface';
  /** name → element id; includes contents inherited through `extends`. */
  contents: Record<string, string>;
  properties: Record<string, string>;
  telemetries: Record<string, string>;
  commands: Record<string, string>;
  components: Record<string, string>;
  relationships: Record<string, string>;
  extends: string[];
  schemas?: string[];
}

export interface NamedElementInfo extends ElementInfo {
  name: string;
  /** Id of the element's schema (Property, Telemetry, Component, Field, MapKey, MapValue). */
  schema?: string;
}

export interface PropertyInfo extends NamedElementInfo {
  EntityKind: 'Property';
  schema: string;
  writable?: boolean | null;
}

export interface RelationshipInfo extends NamedElementInfo {
  EntityKind: 'Relationship';
  target?: string | null;
  minMultiplicity?: number | null;
  maxMultiplicity?: number | null;
  properties?: string[];
}

export interface SchemaElementInfo extends ElementInfo {
  elementSchema?: string;
  enumValues?: string[];
  valueSchema?: string;
  fields?: string[];
  mapKey?: string;
  mapValue?: string;
  enumValue?: string | number | boolean;
}

export type ObjectModel = Record<string, ElementInfo>;

export function elementOf<T extends ElementInfo = ElementInfo>(model: ObjectModel, id: string): T {
  const element = model[id];
  if (!element) throw new Error(`The object model has no element ${id}`);
  return element as T;
}

export function interfaceOf(model: ObjectModel, id: string): InterfaceInfo {
  const element = elementOf(model, id);
  if (element.EntityKind !== 'Interface') throw new Error(`${id} is a ${element.EntityKind}, not an Interface`);
  return element as InterfaceInfo;
}
