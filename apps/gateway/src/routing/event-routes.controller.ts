import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Put, Query, Req } from '@nestjs/common';
import { Subjects, type EventRoute } from '@odt/contracts';
import { RpcClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, callOf, single } from '../http/request-context';
import { Requires } from '../auth/data-actions';

/** ADT endpoints 21–24: event routes. */
@Controller('eventroutes')
export class EventRoutesController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @Requires('eventroutes/read')
  async list(@Query() query: Record<string, unknown>, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: EventRoute[]; nextLink: string | null }> {
    const page = await this.rpc.request(Subjects.RoutesList, {
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    }, callOf(req));
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get(':id')
  @Requires('eventroutes/read')
  get(@Param('id') id: string, @Req() req: FastifyRequest): Promise<EventRoute> {
    return this.rpc.request(Subjects.RoutesGet, { id }, callOf(req));
  }

  @Put(':id')
  @Requires('eventroutes/write')
  @HttpCode(204)
  async put(@Param('id') id: string, @Body() route: unknown, @Req() req: FastifyRequest): Promise<void> {
    await this.rpc.request(Subjects.RoutesPut, { id, route }, callOf(req));
  }

  @Delete(':id')
  @Requires('eventroutes/delete')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() req: FastifyRequest): Promise<void> {
    await this.rpc.request(Subjects.RoutesDelete, { id }, callOf(req));
  }
}
