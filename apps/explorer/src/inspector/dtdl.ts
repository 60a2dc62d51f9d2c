import type { PatchOp } from '../api/adt';

/** A DTDL schema as the inspector renders it. */
export type Schema =
  | { kind: 'primitive'; type: string }
  | { kind: 'enum'; valueSchema: string; values: { name: string; value: string | number; label: string }[] }
  | { kind: 'map'; keyName: string; value: Schema }
  | { kind: 'object'; fields: { name: string; schema: Schema }[] }
  | { kind: 'array'; element: Schema }
  | { kind: 'geospatial'; type: string }
  | { kind: 'unknown'; raw: unknown };

export interface PropertyDef { name: string; schema: Schema; writable: boolean; displayName?: string }
export interface ComponentDef { name: string; model: string }
export interface RelationshipDef { name: string; target?: string; properties: PropertyDef[] }

export interface FlatModel {
  id: string;
  properties: PropertyDef[];
  components: ComponentDef[];
  relationships: RelationshipDef[];
  /** Every model this one is (itself and what it extends). */
  ancestry: string[];
}

type Json = Record<string, unknown>;
const GEO = ['point', 'lineString', 'polygon', 'multiPoint', 'multiLineString', 'multiPolygon'];

const typesOf = (c: Json): string[] => [c['@type']].flat().filter((t): t is string => typeof t === 'string');
const text = (v: unknown): string | undefined => typeof v === 'string' ? v : (v && typeof v === 'object' ? (v as Record<string, string>).en ?? Object.values(v as Record<string, string>)[0] : undefined);

/** Resolves a schema: inline, a primitive name, or the @id of a schema declared in `schemas`. */
export function schemaOf(raw: unknown, named: Map<string, Json>): Schema {
  if (typeof raw === 'string') {
    if (named.has(raw)) return schemaOf(named.get(raw), named);
    if (GEO.includes(raw)) return { kind: 'geospatial', type: raw };
    return { kind: 'primitive', type: raw };
  }
  if (!raw || typeof raw !== 'object') return { kind: 'unknown', raw };
  const s = raw as Json;
  switch (typesOf(s)[0]) {
    case 'Enum':
      return {
        kind: 'enum',
        valueSchema: String(s.valueSchema ?? 'string'),
        values: ((s.enumValues ?? []) as Json[]).map((v) => ({ name: String(v.name), value: v.enumValue as string | number, label: text(v.displayName) ?? String(v.name) })),
      };
    case 'Map': {
      const key = s.mapKey as Json; const value = s.mapValue as Json;
      return { kind: 'map', keyName: String(key?.name ?? 'key'), value: schemaOf(value?.schema, named) };
    }
    case 'Object':
      return { kind: 'object', fields: ((s.fields ?? []) as Json[]).map((f) => ({ name: String(f.name), schema: schemaOf(f.schema, named) })) };
    case 'Array':
      return { kind: 'array', element: schemaOf(s.elementSchema, named) };
    default:
      return { kind: 'unknown', raw };
  }
}

/** A model with everything it extends folded in (DTDL `extends`, depth first). */
export function flattenModel(id: string, models: Map<string, Json>): FlatModel {
  const flat: FlatModel = { id, properties: [], components: [], relationships: [], ancestry: [] };
  const visit = (mid: string) => {
    if (flat.ancestry.includes(mid)) return;
    const model = models.get(mid);
    flat.ancestry.push(mid);
    if (!model) return;
    const named = new Map<string, Json>();
    for (const s of [model.schemas ?? []].flat() as Json[]) if (typeof s?.['@id'] === 'string') named.set(s['@id'] as string, s);
    for (const c of [model.contents ?? []].flat() as Json[]) {
      const types = typesOf(c);
      const name = String(c.name);
      if (types.includes('Property')) {
        flat.properties.push({ name, schema: schemaOf(c.schema, named), writable: c.writable !== false, displayName: text(c.displayName) });
      } else if (types.includes('Component')) {
        flat.components.push({ name, model: typeof c.schema === 'string' ? c.schema : String((c.schema as Json)?.['@id'] ?? '') });
      } else if (types.includes('Relationship')) {
        const props = ([c.properties ?? []].flat() as Json[]).map((p) => ({ name: String(p.name), schema: schemaOf(p.schema, named), writable: p.writable !== false }));
        flat.relationships.push({ name, target: typeof c.target === 'string' ? c.target : undefined, properties: props });
      }
    }
    for (const parent of [model.extends ?? []].flat()) {
      if (typeof parent === 'string') visit(parent);
      else if (parent && typeof parent === 'object' && typeof (parent as Json)['@id'] === 'string') {
        models.set((parent as Json)['@id'] as string, parent as Json);
        visit((parent as Json)['@id'] as string);
      }
    }
  };
  visit(id);
  return flat;
}

/** The relationships a source model may draw to a target model (target unset: any twin). */
export function allowedRelationships(source: FlatModel, target: FlatModel): RelationshipDef[] {
  return source.relationships.filter((r) => !r.target || target.ancestry.includes(r.target));
}

/** A JSON Patch from the twin (or component) as read to the values as edited, under `base` ('' or '/thermostat'). */
export function patchOf(before: Json, after: Json, names: string[], base = ''): PatchOp[] {
  const ops: PatchOp[] = [];
  for (const name of names) {
    const path = `${base}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const a = before[name]; const b = after[name];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (b === undefined) ops.push({ op: 'remove', path });
    else if (a === undefined) ops.push({ op: 'add', path, value: b });
    else ops.push({ op: 'replace', path, value: b });
  }
  return ops;
}

/** Keys of a twin that its model does not declare (flagged in the inspector). */
export function undeclared(twin: Json, model: FlatModel): string[] {
  const known = new Set([...model.properties.map((p) => p.name), ...model.components.map((c) => c.name)]);
  return Object.keys(twin).filter((k) => !k.startsWith('$') && !known.has(k));
}

/** A value for an input, from text, by the schema (numbers parsed, booleans, JSON for the rest). */
export function parseScalar(type: string, raw: string): unknown {
  if (raw === '') return undefined;
  switch (type) {
    case 'double': case 'float': case 'integer': case 'long': {
      const n = Number(raw);
      if (Number.isNaN(n)) throw new Error(`${raw} is not a number`);
      return n;
    }
    case 'boolean': return raw === 'true';
    default: return raw;
  }
}

export function defaultValue(schema: Schema): unknown {
  switch (schema.kind) {
    case 'map': return {};
    case 'object': return {};
    case 'array': return [];
    case 'enum': return schema.values[0]?.value;
    case 'primitive': return schema.type === 'boolean' ? false : ['double', 'float', 'integer', 'long'].includes(schema.type) ? 0 : '';
    default: return undefined;
  }
}
