import { DomainError, type ErrorDetail } from '@odt/contracts';

/** ADT's live messages (reference §1.4). */
export const TwinErrors = {
  notFound: (id: string) =>
    new DomainError('DigitalTwinNotFound', `There is no digital twin instance that exists with the ID ${id}. Please verify that the twin id is valid and ensure that the twin is not deleted. See section on querying the twins http://aka.ms/adtv2query.`),
  invalid: (details: ErrorDetail[]) =>
    new DomainError('ValidationFailed', 'Invalid twin specified', details),
  unknownModel: (modelId: string) =>
    new DomainError('ValidationFailed', 'Invalid twin specified', [
      { code: 'ValidationFailed', message: `${modelId} or one of its dependencies does not exist.` },
    ]),
  decommissioned: (modelId: string) =>
    new DomainError('ModelDecommissioned', `The model ${modelId} is decommissioned. New twins cannot be created with it, and existing twins cannot be moved to it.`),
  alreadyExists: (id: string) =>
    new DomainError('PreconditionFailed', `If-None-Match: * header was specified but a twin with the id ${id} was found. Please specify a different twin id.`),
  etagMismatch: (id: string) =>
    new DomainError('PreconditionFailed', `The If-Match header value does not match the current ETag of twin ${id}.`),
  tooContended: (id: string) =>
    new DomainError('ServiceUnavailable', `Twin ${id} is being written by too many requests at once; retry the request.`),
  componentNotFound: (id: string, component: string) =>
    new DomainError('ComponentNotFound', `${id} does not have component ${component} Please verify that the component path is correct. See section on components at https://aka.ms/adtv2twins.`),
  relationshipsNotDeleted: (id: string) =>
    new DomainError('RelationshipsNotDeleted', `Twin ${id} has active relationships. Cannot delete a twin unless all the relationships are deleted. Please delete the incoming and outgoing relationships of the twin first. See section on deleting twins at https://aka.ms/adtv2twins.`),
  tooLarge: (bytes: number, limit: number) =>
    new DomainError('ValidationFailed', 'Invalid twin specified', [
      { code: 'ValidationFailed', message: `The twin would be ${bytes} bytes as JSON; a twin is limited to ${limit} bytes.` },
    ]),
  missingMessageId: () =>
    new DomainError('InvalidArgument', 'The Message-Id header is required to send telemetry.'),
  missingPayload: () =>
    new DomainError('InvalidArgument', 'The telemetry payload (a JSON request body) is required.'),
  badSourceTime: (value: string) =>
    new DomainError('InvalidArgument', `Invalid Telemetry-Source-Time header value '${value.slice(0, 64)}': it must be an RFC 3339 date-time, e.g. 2022-05-31T12:00:01.123Z.`),
  telemetryNotPublished: (reason: string) =>
    new DomainError('ServiceUnavailable', `The telemetry could not be published: ${reason}. Try again shortly.`),
};
