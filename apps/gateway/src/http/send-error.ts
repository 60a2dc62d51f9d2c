import type { FastifyReply, FastifyRequest } from 'fastify';
import { toDomainError } from './adt-errors';

export function sendAdtError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { error, unexpected } = toDomainError(exception);
  if (unexpected) request.log.error({ err: exception }, 'unhandled error');
  void reply
    .status(error.status)
    .header('x-ms-error-code', error.code)
    .header('content-type', 'application/json; charset=utf-8')
    .send(error.toBody());
}
