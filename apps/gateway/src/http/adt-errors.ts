import { HttpException } from '@nestjs/common';
import { DomainError, type ErrorCode } from '@odt/contracts';

/** Fastify's own failures (body parsing, limits) in ADT's vocabulary. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'InvalidArgument',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'InvalidArgument',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PayloadTooLarge',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UnsupportedMediaType',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'InvalidArgument',
  FST_ERR_CTP_EMPTY_TYPE: 'UnsupportedMediaType',
  FST_ERR_CTP_INVALID_TYPE: 'UnsupportedMediaType',
  FST_ERR_BAD_URL: 'InvalidArgument',
  FST_ERR_ASYNC_CONSTRAINT: 'InvalidArgument',
};

const statusCodes: Record<number, ErrorCode> = {
  // Nest hands body-parsing failures over as a plain 400 HttpException.
  400: 'InvalidArgument',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'RouteNotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

/** Every failure the gateway can meet, as one ADT error; unknown ones are a 500 (and are logged). */
export function toDomainError(err: unknown): { error: DomainError; unexpected: boolean } {
  if (err instanceof DomainError) return { error: err, unexpected: false };
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (e.code && fastifyCodes[e.code]) {
    const message = e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (e.message ?? '').includes('JSON')
      ? `The request body is not valid JSON: ${e.message}`
      : (e.message ?? 'Bad request.');
    return { error: new DomainError(fastifyCodes[e.code], message), unexpected: false };
  }
  if (err instanceof SyntaxError) return { error: new DomainError('InvalidArgument', `The request body is not valid JSON: ${err.message}`), unexpected: false };
  const status = err instanceof HttpException ? err.getStatus() : e.statusCode;
  if (status && status < 500 && statusCodes[status]) {
    return { error: new DomainError(statusCodes[status], e.message ?? 'Bad request.'), unexpected: false };
  }
  return { error: new DomainError('InternalServerError', 'An internal error occurred.'), unexpected: true };
}
