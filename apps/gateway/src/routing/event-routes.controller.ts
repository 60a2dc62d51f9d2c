import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Put, Query, Req } from '@nestjs/common';
import { Subjects, type EventRoute } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, single } from '../http/request-context';
import { Requires } from '../auth/data-actions';

/** ADT endpoints 21–24: event routes. */
@Controller('eventroutes')
export class EventRoutesController {
  constructor(
    private readonly services: InternalClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @Requires('eventroutes/read')
  async list(@Query() query: Record<string, unknown>, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: EventRoute[]; nextLink: string | null }> {
    const page = await this.services.request(Subjects.RoutesList, {
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get(':id')
  @Requires('eventroutes/read')
  get(@Param('id') id: string): Promise<EventRoute> {
    return this.services.request(Subjects.RoutesGet, { id });
  }

  @Put(':id')
  @Requires('eventroutes/write')
  @HttpCode(204)
  async put(@Param('id') id: string, @Body() route: unknown): Promise<void> {
    await this.services.request(Subjects.RoutesPut, { id, route });
  }

  @Delete(':id')
  @Requires('eventroutes/delete')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.services.request(Subjects.RoutesDelete, { id });
  }
}
