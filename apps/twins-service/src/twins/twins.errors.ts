import { DomainError, type ErrorDetail } from '@odt/contracts';

/** ADT's live messages (reference §1.4). */
export const TwinErrors = {
  notFound: (id: string) =>
    new DomainError('DigitalTwinNotFound', `There is no digital twin instance that exists with the ID ${id}. Please verify that the twin id is valid and ensure that the twin is not deleted. See section on querying the twins http://aka.ms/adtv2query.`),
  invalidId: (reason: string) => new DomainError('InvalidArgument', `Invalid digital twin id: ${reason}`),
  invalid: (details: ErrorDetail[]) =>
    new DomainError('ValidationFailed', 'Invalid twin specified', details),
  unknownModel: (modelId: string) =>
    new DomainError('ValidationFailed', 'Invalid twin specified', [
      { code: 'ValidationFailed', message: `${modelId} or one of its dependencies does not exist.` },
    ]),
  decommissioned: (modelId: string) =>
    new DomainError('ModelDecommissioned', `The model ${modelId} is decommissioned. New twins cannot be created with a decommissioned model.`),
  alreadyExists: (id: string) =>
    new DomainError('PreconditionFailed', `If-None-Match: * header was specified but a twin with the id ${id} was found. Please specify a different twin id.`),
  badIfNoneMatch: () =>
    new DomainError('InvalidArgument', 'Invalid If-None-Match header value. Allowed value(s): If-None-Match: *'),
  badIfMatch: () =>
    new DomainError('InvalidArgument', 'Invalid If-Match header value. Allowed value(s): If-Match: {etag} or If-Match: *'),
  etagMismatch: (id: string) =>
    new DomainError('PreconditionFailed', `The If-Match header value does not match the current ETag of twin ${id}.`),
  patchInvalid: (message: string) =>
    new DomainError('JsonPatchInvalid', `${message} Please provide a valid patch document. See section on update apis at https://aka.ms/adtv2twins.`),
};
