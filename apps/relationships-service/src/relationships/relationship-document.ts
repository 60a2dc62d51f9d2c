import type { Relationship } from '@odt/contracts';
import { RelationshipErrors } from './relationships.errors';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface RelationshipInput {
  targetId: string;
  name: string;
  properties: Json;
}

/** Reads a PUT body: `$targetId` and `$relationshipName` required; `$relationshipId`/`$sourceId` must match the path. */
export function parseRelationshipBody(body: unknown, sourceId: string, relationshipId: string): RelationshipInput {
  if (!isObject(body)) throw RelationshipErrors.badBody('The relationship must be a JSON object.');
  const { $targetId, $relationshipName, $relationshipId, $sourceId, $etag: _etag, ...rest } = body;
  if (typeof $targetId !== 'string' || $targetId.length === 0) throw RelationshipErrors.badBody('The relationship must name its target in $targetId.');
  if (typeof $relationshipName !== 'string' || $relationshipName.length === 0) throw RelationshipErrors.badBody('The relationship must have a $relationshipName.');
  if ($relationshipId !== undefined && $relationshipId !== relationshipId) throw RelationshipErrors.badBody('$relationshipId in the body must match the relationship id in the path.');
  if ($sourceId !== undefined && $sourceId !== sourceId) throw RelationshipErrors.badBody('$sourceId in the body must match the twin id in the path.');
  const system = Object.keys(rest).filter((k) => k.startsWith('$'));
  if (system.length > 0) throw RelationshipErrors.invalid(system.map((k) => ({ code: 'ValidationFailed', message: `${k} is not a writable system property.`, target: `/${k}` })));
  return { targetId: $targetId, name: $relationshipName, properties: rest };
}

export interface RelationshipRow {
  source_id: string;
  relationship_id: string;
  name: string;
  target_id: string;
  etag: string;
  properties: Json;
}

export function toRelationship(row: RelationshipRow): Relationship {
  return {
    $relationshipId: row.relationship_id,
    $etag: `W/"${row.etag}"`,
    $sourceId: row.source_id,
    $relationshipName: row.name,
    $targetId: row.target_id,
    ...row.properties,
  };
}
