import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { DeliveryManager } from '../delivery/delivery-manager';
import { RoutingService } from './routing.service';

type S = typeof Subjects;

/** The event router's internal API for routes and endpoints (see docs/internal-api.md). */
@InternalApiController()
export class RoutingHandlers {
  constructor(
    private readonly routing: RoutingService,
    private readonly delivery: DeliveryManager,
  ) {}

  @MessagePattern(Subjects.RoutesPut)
  async putRoute(@Payload() req: RequestOf<S['RoutesPut']>): Promise<null> {
    await this.routing.putRoute(req.id, req.route);
    return null;
  }

  @MessagePattern(Subjects.RoutesGet)
  getRoute(@Payload() req: RequestOf<S['RoutesGet']>): Promise<ReplyOf<S['RoutesGet']>> {
    return this.routing.getRoute(req.id);
  }

  @MessagePattern(Subjects.RoutesList)
  listRoutes(@Payload() req: RequestOf<S['RoutesList']>): Promise<ReplyOf<S['RoutesList']>> {
    return this.routing.listRoutes(req);
  }

  @MessagePattern(Subjects.RoutesDelete)
  async deleteRoute(@Payload() req: RequestOf<S['RoutesDelete']>): Promise<null> {
    await this.routing.deleteRoute(req.id);
    return null;
  }

  @MessagePattern(Subjects.EndpointsPut)
  putEndpoint(@Payload() req: RequestOf<S['EndpointsPut']>): Promise<ReplyOf<S['EndpointsPut']>> {
    return this.routing.putEndpoint(req.name, req.endpoint);
  }

  @MessagePattern(Subjects.EndpointsGet)
  getEndpoint(@Payload() req: RequestOf<S['EndpointsGet']>): Promise<ReplyOf<S['EndpointsGet']>> {
    return this.routing.getEndpoint(req.id);
  }

  @MessagePattern(Subjects.EndpointsList)
  listEndpoints(@Payload() req: RequestOf<S['EndpointsList']>): Promise<ReplyOf<S['EndpointsList']>> {
    return this.routing.listEndpoints(req);
  }

  @MessagePattern(Subjects.EndpointsDelete)
  async deleteEndpoint(@Payload() req: RequestOf<S['EndpointsDelete']>): Promise<null> {
    await this.routing.deleteEndpoint(req.id);
    return null;
  }

  @MessagePattern(Subjects.DeadLettersList)
  async deadLetters(@Payload() req: RequestOf<S['DeadLettersList']>): Promise<ReplyOf<S['DeadLettersList']>> {
    await this.routing.getEndpoint(req.endpoint);
    const letters = await this.delivery.listDeadLetters(req.endpoint, Math.min(Math.max(1, req.maxItemsPerPage), 1000));
    return { value: letters.map(({ sequence: _s, ...letter }) => letter) };
  }

  @MessagePattern(Subjects.DeadLettersReplay)
  async replay(@Payload() req: RequestOf<S['DeadLettersReplay']>): Promise<ReplyOf<S['DeadLettersReplay']>> {
    await this.routing.getEndpoint(req.id);
    return this.delivery.replayDeadLetters(req.id);
  }
}
