import { DomainError } from '@odt/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { runInCall } from '@odt/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Each route's handler runs in the call context of its request (request id, authenticated caller,
 * trace), which every internal request it makes carries on as headers. Set just before the
 * handler: after authentication, and after body parsing (whose stream callbacks would lose it).
 */
export function installCallContext(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.addHook('preHandler', (request, _reply, done) => {
    runInCall({
      requestId: String(request.id),
      traceparent: request.span?.traceparent,
      ...(request.caller ? { caller: { type: request.caller.type, id: request.caller.id } } : {}),
    }, done);
  });
}

/** First value of a query parameter that a client (or an SDK re-sending params on a nextLink) may repeat. */
export function single(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : String(v);
}

export function parseBoolean(name: string, value: unknown): boolean {
  const v = single(value);
  if (v === undefined || v === '') return false;
  if (v.toLowerCase() === 'true') return true;
  if (v.toLowerCase() === 'false') return false;
  throw new DomainError('InvalidArgument', `The query parameter ${name} must be true or false.`);
}

/** `max-items-per-page`: a positive integer hint; the server may return fewer. */
export function pageSize(header: string | string[] | undefined, fallback: number): number {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v === '') return fallback;
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new DomainError('InvalidArgument', 'The max-items-per-page header must be a positive integer.');
  return Number(v);
}

/** The absolute URL of the next page: the same route and query, plus our continuation cursor. */
export function nextLink(req: FastifyRequest, cursor: string): string {
  const url = new URL(req.url, `${req.protocol}://${req.host}`);
  url.searchParams.delete('continuationToken');
  url.searchParams.set('continuationToken', cursor);
  return url.toString();
}
