// The relationship document is shared with the twins service's graph batches (libs/graph-domain).
export { parseRelationshipBody, toRelationship, type RelationshipInput, type RelationshipRow } from '@odt/graph-domain';
