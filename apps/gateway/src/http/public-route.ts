import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/** Probes and metrics: no token, no rate limit (orchestrators and scrapers call them). */
export const PROBE_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

/**
 * A route anyone may read without a token or `api-version`: the landing page, the OpenAPI
 * description, the API reference. Declared on the handler, read from Fastify's route config by
 * the hooks that run before routing reaches Nest.
 */
export const PublicRoute = (): MethodDecorator => applyDecorators(RouteConfig({ odtPublic: true }));

export function isPublicRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { odtPublic?: boolean } | undefined)?.odtPublic === true || PROBE_PATHS.test(request.url);
}

/** No route matches the request: it will be a 404, whoever asks and whatever api-version it names. */
export function isUnmatched(request: FastifyRequest): boolean {
  return request.routeOptions.url === undefined;
}
