import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SpanKind, startSpan, type TraceSpan } from '@odt/service-kit';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's span: the child of the caller's `traceparent`, or the root of a new trace. */
    span?: TraceSpan;
  }
}

/**
 * Request identity, set first so that every answer carries it (`x-ms-request-id`), and the W3C
 * trace context: each request gets a server span (continuing the caller's `traceparent`), whose
 * traceparent travels with the internal requests it causes and ends up in the events they publish.
 */
export function installTracing(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.addHook('onRequest', (request, reply, done) => {
    const incoming = request.headers.traceparent;
    request.span = startSpan(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`, SpanKind.SERVER, typeof incoming === 'string' ? incoming : undefined, {
      'http.request.method': request.method,
      'url.path': request.url.split('?')[0],
    });
    void reply.header('traceparent', request.span.traceparent).header('x-ms-request-id', String(request.id));
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    request.span?.end(reply.statusCode >= 500 ? `HTTP ${reply.statusCode}` : undefined);
    done();
  });
}
