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

/**
 * The JSON text of the object ADT returns for a twin or a relationship: its system fields, then
 * the members of the stored document (which never holds `$dtId` or `$etag`). Built as text, not
 * jsonb: concatenating text costs a fraction of rebuilding a jsonb value per row, and the query
 * service passes the text through unparsed.
 */
export function collectionJson(collection: Collection): string {
  const a = collection.sqlAlias;
  // The ETag is a uuid: nothing in it needs escaping.
  const etagMember = `',"$etag":"W/\\"' || ${a}.etag::text || '\\""'`;
  if (collection.kind === 'twin') {
    return `'{"$dtId":' || to_json(${a}.id)::text || ${etagMember} || ${membersAfter(`${a}.document`)}`;
  }
  return `'{"$relationshipId":' || to_json(${a}.relationship_id)::text || ${etagMember}` +
    ` || ',"$sourceId":' || to_json(${a}.source_id)::text || ',"$relationshipName":' || to_json(${a}.name)::text` +
    ` || ',"$targetId":' || to_json(${a}.target_id)::text || ${membersAfter(`${a}.properties`)}`;
}

/** `,` and the members of a jsonb object with its closing brace, or just `}` when it is empty. */
function membersAfter(object: string): string {
  return `(CASE WHEN ${object} = '{}'::jsonb THEN '}' ELSE ',' || substr(${object}::text, 2) END)`;
}

/** The value as JSON text; SQL NULL when it is undefined. */
export function jsonText(value: ValueSql): string {
  return value.kind === 'json' ? `(${value.sql})::text` : `to_json(${value.sql})::text`;
}

export function asJson(value: ValueSql): string {
  return value.kind === 'json' ? value.sql : `to_jsonb(${value.sql})`;
}

/** The value as text when it is a JSON string, else SQL NULL. */
export function stringValue(value: ValueSql): string {
  return value.kind === 'text' ? value.sql : `(CASE WHEN jsonb_typeof(${value.sql}) = 'string' THEN (${value.sql}) #>> '{}' END)`;
}

/** Whether the path names a column kept beside the JSON document, not a document property. */
export function isSystemField(collection: Collection, segments: string[]): boolean {
  return systemField(collection, segments) !== undefined;
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
