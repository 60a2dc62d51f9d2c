import { DomainError, type ErrorDetail } from '@odt/contracts';

/** ADT's live messages (reference §1.4). */
export const RelationshipErrors = {
  twinNotFound: (id: string) =>
    new DomainError('DigitalTwinNotFound', `There is no digital twin instance that exists with the ID ${id}. Please verify that the twin id is valid and ensure that the twin is not deleted. See section on querying the twins http://aka.ms/adtv2query.`),
  targetNotFound: (id: string) =>
    new DomainError('TargetDigitalTwinNotFound', `The target digital twin ${id} is invalid or does not exist. Please validate that the target twin is valid and ensure that the target twin is not deleted.`),
  notFound: (twinId: string, relationshipId: string) =>
    new DomainError('RelationshipNotFound', `Relationship ${relationshipId} not found on twin ${twinId}. Please verify that the relationship id is valid and ensure that the relationship is not deleted.`),
  selfLoop: (id: string) =>
    new DomainError('OperationNotAllowed', `A relationship from twin ${id} to itself is not allowed.`),
  undeclared: (name: string, modelId: string) =>
    new DomainError('InvalidRelationship', `Relationship ${name} is not defined on model ${modelId} or any of its base models.`),
  wrongTarget: (name: string, expected: string, actual: string) =>
    new DomainError('InvalidRelationship', `Relationship ${name} must target a twin of model ${expected} (or a model extending it); the target twin is of model ${actual}.`),
  sourceModelMissing: (modelId: string) =>
    new DomainError('InvalidRelationship', `The model ${modelId} of the source twin does not exist; its relationships cannot be written until it is uploaded again.`),
  invalid: (details: ErrorDetail[]) => new DomainError('ValidationFailed', 'Invalid relationship specified', details),
  badBody: (message: string) => new DomainError('InvalidArgument', message),
  alreadyExists: (twinId: string, relationshipId: string) =>
    new DomainError('PreconditionFailed', `If-None-Match: * header was specified but a relationship with the id ${relationshipId} was found on twin ${twinId}. Please specify a different relationship id.`),
  etagMismatch: (relationshipId: string) =>
    new DomainError('PreconditionFailed', `The If-Match header value does not match the current ETag of relationship ${relationshipId}.`),
  tooContended: (relationshipId: string) =>
    new DomainError('ServiceUnavailable', `Relationship ${relationshipId} is being written by too many requests at once; retry the request.`),
  tooMany: (name: string, max: number) =>
    new DomainError('ValidationFailed', `Relationship ${name} allows at most ${max} instances per source twin (maxMultiplicity).`),
};
