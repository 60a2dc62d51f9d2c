import { invalidQueryError, quoted } from '../query-errors';
import type { Collection, ResolvedPath } from './query-scope';
import type { SqlParameters } from './sql-parameters';

/**
 * How a property reads in SQL: `json` is a jsonb expression that is SQL NULL when the property is
 * not defined; `text` is a system field kept in its own column, always defined and a JSON string.
 */
export type ValueSql = { kind: 'json'; sql: string } | { kind: 'text'; sql: string };

/** The value of a property path; the collection itself is not a value. */
export function propertyValue(path: ResolvedPath, params: SqlParameters): ValueSql {
  const { collection, segments } = path;
  if (segments.length === 0) {
    throw invalidQueryError(path.at, `${quoted(collection.name ?? '')} is a collection, not a property; use one of its properties`);
  }
  const system = systemField(collection, segments);
  if (system) return { kind: 'text', sql: system };
  const column = collection.kind === 'twin' ? `${collection.sqlAlias}.document` : `${collection.sqlAlias}.properties`;
  const sql = segments.length === 1
    ? `${column} -> ${params.add(segments[0], 'text')}`
    : `${column} #> ${params.add(segments, 'text[]')}`;
  return { kind: 'json', sql };
}

/** The JSON object ADT returns for a twin or a relationship. */
export function collectionObject(collection: Collection): string {
  const a = collection.sqlAlias;
  return collection.kind === 'twin'
    ? `jsonb_build_object('$dtId', ${a}.id, '$etag', ${etag(a)}) || ${a}.document`
    : `jsonb_build_object('$relationshipId', ${a}.relationship_id, '$etag', ${etag(a)}, '$sourceId', ${a}.source_id, ` +
        `'$relationshipName', ${a}.name, '$targetId', ${a}.target_id) || ${a}.properties`;
}

export function asJson(value: ValueSql): string {
  return value.kind === 'json' ? value.sql : `to_jsonb(${value.sql})`;
}

/** The value as text when it is a JSON string, else SQL NULL. */
export function stringValue(value: ValueSql): string {
  return value.kind === 'text' ? value.sql : `(CASE WHEN jsonb_typeof(${value.sql}) = 'string' THEN (${value.sql}) #>> '{}' END)`;
}

/** Columns kept beside the JSON document (reference: `twins.twins`, `relationships.relationships`). */
function systemField(collection: Collection, segments: string[]): string | undefined {
  const a = collection.sqlAlias;
  const [first, second] = segments;
  if (segments.length === 1 && first === '$etag') return etag(a);
  if (collection.kind === 'twin') {
    if (segments.length === 1 && first === '$dtId') return `${a}.id`;
    if (segments.length === 2 && first === '$metadata' && second === '$model') return `${a}.model_id`;
    return undefined;
  }
  if (segments.length !== 1) return undefined;
  const columns: Record<string, string> = {
    $relationshipId: 'relationship_id',
    $sourceId: 'source_id',
    $targetId: 'target_id',
    $relationshipName: 'name',
  };
  return Object.hasOwn(columns, first) ? `${a}.${columns[first]}` : undefined;
}

function etag(sqlAlias: string): string {
  return `('W/"' || ${sqlAlias}.etag::text || '"')`;
}
