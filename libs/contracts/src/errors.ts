/**
 * The error codes the public API answers with: ADT's live codes (reference §1.4) plus the few
 * transport-level codes of our own. Each maps to exactly one HTTP status.
 */
export const ErrorStatus = {
  BadRequest: 400,
  InvalidArgument: 400,
  MissingArgument: 400,
  DTDLParserError: 400,
  ModelVersionNotSupported: 400,
  LimitExceeded: 400,
  JsonPatchInvalid: 400,
  ValidationFailed: 400,
  ModelDecommissioned: 400,
  RelationshipsNotDeleted: 400,
  InvalidRelationship: 400,
  OperationNotAllowed: 400,
  SqlQueryError: 400,
  EventRouteFilterInvalid: 400,
  EventRouteEndpointInvalid: 400,
  EventRouteIdInvalid: 400,
  EndpointInvalid: 400,
  // Connections (ours): a bad definition; a mapping that does not compile, or fails on a sample.
  ConnectionInvalid: 400,
  MappingInvalid: 400,
  MappingFailed: 400,
  // ADT lists a query running past its time limit among the 400s.
  TimeoutError: 400,
  // Jobs: one bulk job (import or delete) at a time.
  JobLimitReached: 400,
  Unauthorized: 401,
  Forbidden: 403,
  ModelNotFound: 404,
  DigitalTwinNotFound: 404,
  RelationshipNotFound: 404,
  TargetDigitalTwinNotFound: 404,
  ComponentNotFound: 404,
  EventRouteNotFound: 404,
  EndpointNotFound: 404,
  ConnectionNotFound: 404,
  RouteNotFound: 404,
  // History (ours): the twin or relationship did not exist at the asked moment; the moment is older than history keeps.
  DigitalTwinNotFoundAsOf: 404,
  RelationshipNotFoundAsOf: 404,
  HistoryNotAvailable: 404,
  ImportJobNotFound: 404,
  DeleteJobNotFound: 404,
  ExportJobNotFound: 404,
  // Explorer (ours): no saved query of that name for this user.
  SavedQueryNotFound: 404,
  MethodNotAllowed: 405,
  ModelIdAlreadyExists: 409,
  ModelReferencesNotDeleted: 409,
  ModelReferencesNotDecommissioned: 409,
  RelationshipAlreadyExists: 409,
  EndpointInUse: 409,
  PreconditionFailed: 412,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  QuotaReachedError: 429,
  InternalServerError: 500,
  ServiceUnavailable: 503,
  // History (ours): the asked moment is past the time up to which history is complete; retry shortly.
  HistoryIncomplete: 503,
  GatewayTimeout: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ErrorStatus;

export interface ErrorDetail {
  code: string;
  message: string;
  /** Where in the input the problem is: a property path or a DTDL element id. */
  target?: string;
}

/** ADT's error body, `{"error": {...}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[] };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ErrorStatus, value);
}

/**
 * A failure with an ADT error code. Domain code throws it; each transport maps it once
 * (HTTP: status + body + `x-ms-error-code`; NATS: an error reply that becomes the same error again).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ErrorStatus[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details?.length ? { details: this.details } : {}) } };
  }
}
