import { Inject, Injectable } from '@nestjs/common';
import type { Endpoint, EventRoute, ListPage, PageRequest } from '@odt/contracts';
import { compileEventFilter, EventFilterError } from '@odt/event-filter';
import { decodeCursor, encodeCursor } from '@odt/graph-domain';
import { foreignKeyViolation } from '@odt/service-kit';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { checkEndpointName, checkRouteId, parseEndpoint } from './endpoint-spec';
import { RoutingErrors } from './routing.errors';
import { RoutingRepository } from './routing.repository';

const isString = (v: unknown): v is string => typeof v === 'string';

/** Event routes (ADT endpoints 21–24) and the endpoints they deliver to. */
@Injectable()
export class RoutingService {
  constructor(
    private readonly repo: RoutingRepository,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  /** Create or replace; the filter is checked now, so a route that exists can always be evaluated. */
  async putRoute(id: string, body: unknown): Promise<void> {
    checkRouteId(id);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw RoutingErrors.routeBodyInvalid('The event route must be a JSON object with endpointName and filter.');
    const { endpointName, filter } = body as Record<string, unknown>;
    if (!isString(endpointName) || endpointName === '') throw RoutingErrors.routeBodyInvalid('The event route needs an endpointName.');
    if (!isString(filter) || filter.trim() === '') throw RoutingErrors.routeBodyInvalid('The event route needs a filter ("true" routes every event).');
    try {
      compileEventFilter(filter);
    } catch (err) {
      if (err instanceof EventFilterError) throw RoutingErrors.routeFilterInvalid((err as Error).message);
      throw err;
    }
    if (!(await this.repo.endpoint(endpointName))) throw RoutingErrors.routeEndpointInvalid(endpointName);
    await this.repo.putRoute({ id, endpointName, filter }).catch((err: unknown) => {
      // The endpoint was deleted between our check and the insert: the foreign key caught it.
      if (foreignKeyViolation(err)) throw RoutingErrors.routeEndpointInvalid(endpointName);
      throw err;
    });
  }

  async getRoute(id: string): Promise<EventRoute> {
    const route = await this.repo.route(id);
    if (!route) throw RoutingErrors.routeNotFound(id);
    return route;
  }

  async listRoutes(req: PageRequest): Promise<ListPage<EventRoute>> {
    return this.page(req, (after, limit) => this.repo.routes(after, limit), (r) => r.id);
  }

  async deleteRoute(id: string): Promise<void> {
    if (!(await this.repo.deleteRoute(id))) throw RoutingErrors.routeNotFound(id);
  }

  async putEndpoint(name: string, body: unknown): Promise<Endpoint> {
    checkEndpointName(name);
    const { endpoint, secret } = parseEndpoint(name, body);
    return this.repo.putEndpoint(endpoint, secret);
  }

  async getEndpoint(name: string): Promise<Endpoint> {
    const endpoint = await this.repo.endpoint(name);
    if (!endpoint) throw RoutingErrors.endpointNotFound(name);
    return endpoint;
  }

  async listEndpoints(req: PageRequest): Promise<ListPage<Endpoint>> {
    return this.page(req, (after, limit) => this.repo.endpoints(after, limit), (e) => e.name);
  }

  async deleteEndpoint(name: string): Promise<void> {
    const outcome = await this.repo.deleteEndpoint(name);
    if (outcome === 'missing') throw RoutingErrors.endpointNotFound(name);
    if (Array.isArray(outcome)) throw RoutingErrors.endpointInUse(name, outcome);
  }

  private async page<T>(req: PageRequest, fetch: (after: string | undefined, limit: number) => Promise<T[]>, keyOf: (item: T) => string): Promise<ListPage<T>> {
    const limit = Math.min(Math.max(1, req.maxItemsPerPage), this.config.ROUTES_MAX_PAGE_SIZE);
    const after = req.cursor === undefined ? undefined : decodeCursor(req.cursor, isString);
    const rows = await fetch(after, limit + 1);
    const value = rows.slice(0, limit);
    return { value, ...(rows.length > limit ? { nextCursor: encodeCursor(keyOf(value[value.length - 1])) } : {}) };
  }
}
