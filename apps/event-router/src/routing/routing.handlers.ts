import { Injectable } from '@nestjs/common';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { RpcHandler } from '@odt/messaging';
import { DeliveryManager } from '../delivery/delivery-manager';
import { RoutingService } from './routing.service';

type S = typeof Subjects;

/** The event router's internal API for routes and endpoints (see docs/internal-api.md). */
@Injectable()
export class RoutingHandlers {
  constructor(
    private readonly routing: RoutingService,
    private readonly delivery: DeliveryManager,
  ) {}

  @RpcHandler(Subjects.RoutesPut)
  async putRoute(req: RequestOf<S['RoutesPut']>): Promise<null> {
    await this.routing.putRoute(req.id, req.route);
    return null;
  }

  @RpcHandler(Subjects.RoutesGet)
  getRoute(req: RequestOf<S['RoutesGet']>): Promise<ReplyOf<S['RoutesGet']>> {
    return this.routing.getRoute(req.id);
  }

  @RpcHandler(Subjects.RoutesList)
  listRoutes(req: RequestOf<S['RoutesList']>): Promise<ReplyOf<S['RoutesList']>> {
    return this.routing.listRoutes(req);
  }

  @RpcHandler(Subjects.RoutesDelete)
  async deleteRoute(req: RequestOf<S['RoutesDelete']>): Promise<null> {
    await this.routing.deleteRoute(req.id);
    return null;
  }

  @RpcHandler(Subjects.EndpointsPut)
  putEndpoint(req: RequestOf<S['EndpointsPut']>): Promise<ReplyOf<S['EndpointsPut']>> {
    return this.routing.putEndpoint(req.name, req.endpoint);
  }

  @RpcHandler(Subjects.EndpointsGet)
  getEndpoint(req: RequestOf<S['EndpointsGet']>): Promise<ReplyOf<S['EndpointsGet']>> {
    return this.routing.getEndpoint(req.id);
  }

  @RpcHandler(Subjects.EndpointsList)
  listEndpoints(req: RequestOf<S['EndpointsList']>): Promise<ReplyOf<S['EndpointsList']>> {
    return this.routing.listEndpoints(req);
  }

  @RpcHandler(Subjects.EndpointsDelete)
  async deleteEndpoint(req: RequestOf<S['EndpointsDelete']>): Promise<null> {
    await this.routing.deleteEndpoint(req.id);
    return null;
  }

  @RpcHandler(Subjects.DeadLettersList)
  async deadLetters(req: RequestOf<S['DeadLettersList']>): Promise<ReplyOf<S['DeadLettersList']>> {
    await this.routing.getEndpoint(req.endpoint);
    const letters = await this.delivery.listDeadLetters(req.endpoint, Math.min(Math.max(1, req.maxItemsPerPage), 1000));
    return { value: letters.map(({ sequence: _s, ...letter }) => letter) };
  }

  @RpcHandler(Subjects.DeadLettersReplay)
  async replay(req: RequestOf<S['DeadLettersReplay']>): Promise<ReplyOf<S['DeadLettersReplay']>> {
    await this.routing.getEndpoint(req.id);
    return this.delivery.replayDeadLetters(req.id);
  }
}
