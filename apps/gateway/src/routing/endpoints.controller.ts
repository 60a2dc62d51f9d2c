import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { Subjects, type DeadLetterView, type Endpoint, type ReplayReply } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, single } from '../http/request-context';
import { Requires } from '../auth/data-actions';

/** Endpoints (beyond ADT, which keeps them in its control plane): where routes deliver events. */
@Controller('endpoints')
export class EndpointsController {
  constructor(
    private readonly services: InternalClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @Requires('endpoints/read')
  async list(@Query() query: Record<string, unknown>, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: Endpoint[]; nextLink: string | null }> {
    const page = await this.services.request(Subjects.EndpointsList, {
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get(':name')
  @Requires('endpoints/read')
  get(@Param('name') name: string): Promise<Endpoint> {
    return this.services.request(Subjects.EndpointsGet, { id: name });
  }

  @Put(':name')
  @Requires('endpoints/write')
  put(@Param('name') name: string, @Body() endpoint: unknown): Promise<Endpoint> {
    return this.services.request(Subjects.EndpointsPut, { name, endpoint });
  }

  @Delete(':name')
  @Requires('endpoints/delete')
  @HttpCode(204)
  async delete(@Param('name') name: string): Promise<void> {
    await this.services.request(Subjects.EndpointsDelete, { id: name });
  }

  /** Events this endpoint never took (after its attempts or time-to-live), oldest first. */
  @Get(':name/deadletters')
  @Requires('endpoints/read')
  deadLetters(@Param('name') name: string, @Headers('max-items-per-page') maxItems: string | undefined): Promise<{ value: DeadLetterView[] }> {
    return this.services.request(Subjects.DeadLettersList, { endpoint: name, maxItemsPerPage: pageSize(maxItems, 100) });
  }

  /** Delivers the dead letters again; each one delivered leaves the list. */
  @Post(':name/deadletters/replay')
  @Requires('endpoints/action')
  @HttpCode(200)
  replay(@Param('name') name: string): Promise<ReplayReply> {
    return this.services.request(Subjects.DeadLettersReplay, { id: name }, { timeoutMs: 120_000 });
  }
}
