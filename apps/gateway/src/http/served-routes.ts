import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

export interface ServedRoute {
  method: string;
  /** Fastify's pattern: `/digitaltwins/:id/relationships/:relationshipId`. */
  url: string;
}

/**
 * Every route the gateway serves, as Fastify registers it (its `onRoute` hook, installed before
 * Nest adds the controllers' routes). The OpenAPI test compares them with /openapi.json.
 */
export class ServedRoutes {
  private readonly routes: ServedRoute[] = [];

  install(app: NestFastifyApplication): void {
    const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) this.routes.push({ method, url: route.url });
    });
  }

  list(): ServedRoute[] {
    return [...this.routes];
  }
}
