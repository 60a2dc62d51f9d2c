import { elementOf, interfaceOf, type NamedElementInfo, type ObjectModel, type RelationshipInfo } from '../object-model';

export interface DirectReferences {
  /** Interfaces this one cannot exist without: its `extends` and the schemas of its own Components. */
  dependencies: string[];
  /** `target`s of its own Relationships (non-dependent: they need not exist). */
  relationshipTargets: string[];
}

/** References an Interface makes itself, not through what it inherits. */
export function directReferencesOf(model: ObjectModel, interfaceId: string): DirectReferences {
  const iface = interfaceOf(model, interfaceId);
  const inherited = new Set(iface.extends.flatMap((base) => Object.values(interfaceOf(model, base).contents)));
  const own = (contents: Record<string, string>) => Object.values(contents).filter((id) => !inherited.has(id));

  const componentSchemas = own(iface.components).map((id) => elementOf<NamedElementInfo>(model, id).schema);
  const targets = own(iface.relationships).map((id) => elementOf<RelationshipInfo>(model, id).target);
  return {
    dependencies: unique([...iface.extends, ...componentSchemas]),
    relationshipTargets: unique(targets),
  };
}

/** Interfaces of the model that are not top-level documents, i.e. were defined inline in another. */
export function inlineInterfacesOf(model: ObjectModel, topLevelIds: Set<string>): string[] {
  return Object.values(model)
    .filter((element) => element.EntityKind === 'Interface' && !topLevelIds.has(element.Id))
    .map((element) => element.Id);
}

/** For each DTMI sought, the `@id`s of the documents that mention it anywhere as a string value. */
export function referrersOf(sought: string[], documents: Array<{ '@id': string }>): Map<string, string[]> {
  const wanted = new Set(sought);
  const referrers = new Map<string, string[]>();
  for (const document of documents) {
    for (const id of stringsIn(document)) {
      if (!wanted.has(id)) continue;
      const list = referrers.get(id) ?? [];
      if (!list.includes(document['@id'])) list.push(document['@id']);
      referrers.set(id, list);
    }
  }
  return referrers;
}

function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) yield* stringsIn(item);
}

function unique(ids: Array<string | null | undefined>): string[] {
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}
