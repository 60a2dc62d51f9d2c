/** A relationship exactly as ADT returns it: its properties at the top level. */
export interface Relationship {
  $relationshipId: string;
  $etag: string;
  $sourceId: string;
  $relationshipName: string;
  $targetId: string;
  [property: string]: unknown;
}

/** ADT's `IncomingRelationship`: the 4-field stub of a relationship pointing at a twin. */
export interface IncomingRelationship {
  $relationshipId: string;
  $sourceId: string;
  $relationshipName: string;
  $relationshipLink: string;
}

export interface RelationshipKey {
  sourceId: string;
  relationshipId: string;
}

export interface UpsertRelationshipRequest extends RelationshipKey {
  relationship: unknown;
  ifNoneMatch?: string;
}

export interface PatchRelationshipRequest extends RelationshipKey {
  patch: unknown;
  ifMatch?: string;
}

export interface DeleteRelationshipRequest extends RelationshipKey {
  ifMatch?: string;
}

export interface ListRelationshipsRequest {
  twinId: string;
  relationshipName?: string;
  maxItemsPerPage: number;
  cursor?: string;
}

export interface ListPage<T> {
  value: T[];
  nextCursor?: string;
}
