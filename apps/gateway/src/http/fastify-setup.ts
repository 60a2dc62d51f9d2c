import { DomainError } from '@odt/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config';
import { checkApiVersion } from './api-version';
import { jsonDepth } from './json-depth';
import { isPublicRoute, isUnmatched } from './public-route';

/**
 * Fastify-level behaviour that runs before (or instead of) Nest's routing: JSON Patch bodies,
 * JSON nesting depth, the api-version gate, and the twin size limit. Errors thrown here reach Nest's exception filter like any other.
 */
export function configureFastify(app: NestFastifyApplication, config: GatewayConfig): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const defaultParser = fastify.getDefaultJsonParser('error', 'error');
  const jsonParser: typeof defaultParser = (request, body, done) => {
    const text = typeof body === 'string' ? body : String(body);
    if (jsonDepth(text) > config.JSON_MAX_DEPTH) {
      done(new DomainError('InvalidArgument', `The JSON body nests deeper than ${config.JSON_MAX_DEPTH} levels.`), undefined);
      return;
    }
    void defaultParser(request, text, done);
  };
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, jsonParser);
  fastify.addContentTypeParser(['application/json-patch+json', 'application/merge-patch+json'], { parseAs: 'string' }, jsonParser);
  // An import file uploaded as it is (PUT /jobs/imports/{id}): the stream is the body, read by the route.
  fastify.addContentTypeParser(['application/x-ndjson', 'application/ndjson'], (_request, payload, done) => done(null, payload));

  // Callback hooks, not async ones, here and in the other per-request hooks: no promise per request
  // (a throw is the request's error all the same).
  fastify.addHook('onRequest', (request, _reply, done) => {
    const path = request.url.split('?')[0];
    // Probes, metrics and the reference pages are ours, not ADT's; an unknown path is a 404 anyway.
    if (!isPublicRoute(request) && !isUnmatched(request)) checkApiVersion(request.query as Record<string, unknown>);
    const length = Number(request.headers['content-length'] ?? 0);
    if (path.startsWith('/digitaltwins/') && length > config.TWIN_BODY_LIMIT_BYTES) {
      throw new DomainError('PayloadTooLarge', `The request body is ${length} bytes; twins and their patches are limited to ${config.TWIN_BODY_LIMIT_BYTES} bytes.`);
    }
    done();
  });
}
