import type { FlattenedInterface, FlattenedRelationship } from '@odt/contracts';
import { elementOf, interfaceOf, type InterfaceInfo, type NamedElementInfo, type ObjectModel, type PropertyInfo, type RelationshipInfo } from '../object-model';
import { namedSchemas, schemaFromObjectModel } from './schema-from-object-model';

/**
 * The flattened form of Interface `interfaceId` of a parsed model. The parser's name → element maps
 * already include inherited contents, so only `bases` needs walking the `extends` graph.
 */
export function flattenInterface(model: ObjectModel, interfaceId: string): FlattenedInterface {
  const iface = interfaceOf(model, interfaceId);
  return {
    id: iface.Id,
    dtdlVersion: iface.languageMajorVersion,
    bases: ancestorsOf(model, iface),
    properties: mapValues(iface.properties, (id) => {
      const property = elementOf<PropertyInfo>(model, id);
      return { schema: schemaFromObjectModel(model, property.schema), writable: property.writable === true };
    }),
    telemetry: Object.keys(iface.telemetries),
    commands: Object.keys(iface.commands),
    components: mapValues(iface.components, (id) => requiredSchema(elementOf<NamedElementInfo>(model, id))),
    relationships: mapValues(iface.relationships, (id) => flattenRelationship(model, elementOf<RelationshipInfo>(model, id))),
  };
}

/** Every Interface reachable through `extends`, nearest first (breadth-first), each once. */
export function ancestorsOf(model: ObjectModel, iface: InterfaceInfo): string[] {
  const seen = new Set<string>([iface.Id]);
  const ancestors: string[] = [];
  const queue = [...iface.extends];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    if (seen.has(id)) continue;
    seen.add(id);
    ancestors.push(id);
    queue.push(...interfaceOf(model, id).extends);
  }
  return ancestors;
}

function flattenRelationship(model: ObjectModel, relationship: RelationshipInfo): FlattenedRelationship {
  return {
    name: relationship.name,
    ...(relationship.target ? { target: relationship.target } : {}),
    ...(typeof relationship.minMultiplicity === 'number' ? { minMultiplicity: relationship.minMultiplicity } : {}),
    ...(typeof relationship.maxMultiplicity === 'number' ? { maxMultiplicity: relationship.maxMultiplicity } : {}),
    properties: namedSchemas(model, relationship.properties ?? []),
  };
}

function requiredSchema(element: NamedElementInfo): string {
  if (!element.schema) throw new Error(`${element.Id} has no schema`);
  return element.schema;
}

function mapValues<T>(record: Record<string, string>, convert: (id: string) => T): Record<string, T> {
  const result: Record<string, T> = {};
  for (const [name, id] of Object.entries(record)) result[name] = convert(id);
  return result;
}
