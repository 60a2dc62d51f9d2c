import type { PatchOperation, Relationship } from '@odt/contracts';
import { applyPatchOperation, patchBetween } from './json-patch';
import { RelationshipErrors } from './relationship-errors';

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

/** A relationship PATCH applied to its properties (system fields are refused before this). */
export function applyPropertyPatch(properties: Json, ops: PatchOperation[]): Json {
  let current = structuredClone(properties);
  for (const op of ops) current = applyPatchOperation(current, op);
  return current;
}

/** The effective change of a replacing PUT, for the `Relationship.Update` event. */
export function relationshipReplacementPatch(before: RelationshipRow, after: RelationshipRow): PatchOperation[] {
  const patch = patchBetween(before.properties, after.properties);
  // A replacement may also retarget or rename the relationship: consumers must see that too.
  if (before.target_id !== after.target_id) patch.push({ op: 'replace', path: '/$targetId', value: after.target_id });
  if (before.name !== after.name) patch.push({ op: 'replace', path: '/$relationshipName', value: after.name });
  return patch;
}
