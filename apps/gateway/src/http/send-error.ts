import { DomainError } from '@odt/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toDomainError } from './adt-errors';

export function sendAdtError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = toDomainError(exception);
  const { unexpected } = mapped;
  // Nest's own "Cannot GET <url>" would echo the query string (which may hold a stream ticket).
  const error = mapped.error.code === 'RouteNotFound' && !(exception instanceof DomainError)
    ? new DomainError('RouteNotFound', `No route matches ${request.method} ${request.url.split('?')[0]}. The API is described at /openapi.json.`)
    : mapped.error;
  if (unexpected) request.log.error({ err: exception }, 'unhandled error');
  void reply
    .status(error.status)
    .header('x-ms-error-code', error.code)
    .header('content-type', 'application/json; charset=utf-8')
    .send(error.toBody());
}
