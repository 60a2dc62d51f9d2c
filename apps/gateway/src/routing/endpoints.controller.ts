import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { Subjects, type DeadLetterView, type Endpoint, type ReplayReply } from '@odt/contracts';
import { RpcClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, callOf, single } from '../http/request-context';
import { Requires } from '../auth/data-actions';

/** Endpoints (beyond ADT, which keeps them in its control plane): where routes deliver events. */
@Controller('endpoints')
export class EndpointsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @Requires('endpoints/read')
  async list(@Query() query: Record<string, unknown>, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: Endpoint[]; nextLink: string | null }> {
    const page = await this.rpc.request(Subjects.EndpointsList, {
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    }, callOf(req));
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get(':name')
  @Requires('endpoints/read')
  get(@Param('name') name: string, @Req() req: FastifyRequest): Promise<Endpoint> {
    return this.rpc.request(Subjects.EndpointsGet, { id: name }, callOf(req));
  }

  @Put(':name')
  @Requires('endpoints/write')
  put(@Param('name') name: string, @Body() endpoint: unknown, @Req() req: FastifyRequest): Promise<Endpoint> {
    return this.rpc.request(Subjects.EndpointsPut, { name, endpoint }, callOf(req));
  }

  @Delete(':name')
  @Requires('endpoints/delete')
  @HttpCode(204)
  async delete(@Param('name') name: string, @Req() req: FastifyRequest): Promise<void> {
    await this.rpc.request(Subjects.EndpointsDelete, { id: name }, callOf(req));
  }

  /** Events this endpoint never took (after its attempts or time-to-live), oldest first. */
  @Get(':name/deadletters')
  @Requires('endpoints/read')
  deadLetters(@Param('name') name: string, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: DeadLetterView[] }> {
    return this.rpc.request(Subjects.DeadLettersList, { endpoint: name, maxItemsPerPage: pageSize(maxItems, 100) }, callOf(req));
  }

  /** Delivers the dead letters again; each one delivered leaves the list. */
  @Post(':name/deadletters/replay')
  @Requires('endpoints/action')
  @HttpCode(200)
  replay(@Param('name') name: string, @Req() req: FastifyRequest): Promise<ReplayReply> {
    return this.rpc.request(Subjects.DeadLettersReplay, { id: name }, { ...callOf(req), timeoutMs: 120_000 });
  }
}
