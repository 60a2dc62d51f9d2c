// Shared with the twins service's graph batches (libs/graph-domain).
export { RelationshipErrors } from '@odt/graph-domain';
