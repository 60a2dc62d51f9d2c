import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { Subjects, type DeadLetterView, type Endpoint, type ReplayReply } from '@odt/contracts';
import { RpcClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, requestIdOf, single } from '../http/request-context';

/** Endpoints (beyond ADT, which keeps them in its control plane): where routes deliver events. */
@Controller('endpoints')
export class EndpointsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: Endpoint[]; nextLink: string | null }> {
    const page = await this.rpc.request(Subjects.EndpointsList, {
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    }, { requestId: requestIdOf(req) });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get(':name')
  get(@Param('name') name: string, @Req() req: FastifyRequest): Promise<Endpoint> {
    return this.rpc.request(Subjects.EndpointsGet, { id: name }, { requestId: requestIdOf(req) });
  }

  @Put(':name')
  put(@Param('name') name: string, @Body() endpoint: unknown, @Req() req: FastifyRequest): Promise<Endpoint> {
    return this.rpc.request(Subjects.EndpointsPut, { name, endpoint }, { requestId: requestIdOf(req) });
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(@Param('name') name: string, @Req() req: FastifyRequest): Promise<void> {
    await this.rpc.request(Subjects.EndpointsDelete, { id: name }, { requestId: requestIdOf(req) });
  }

  /** Events this endpoint never took (after its attempts or time-to-live), oldest first. */
  @Get(':name/deadletters')
  deadLetters(@Param('name') name: string, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: DeadLetterView[] }> {
    return this.rpc.request(Subjects.DeadLettersList, { endpoint: name, maxItemsPerPage: pageSize(maxItems, 100) }, { requestId: requestIdOf(req) });
  }

  /** Delivers the dead letters again; each one delivered leaves the list. */
  @Post(':name/deadletters/replay')
  @HttpCode(200)
  replay(@Param('name') name: string, @Req() req: FastifyRequest): Promise<ReplayReply> {
    return this.rpc.request(Subjects.DeadLettersReplay, { id: name }, { requestId: requestIdOf(req), timeoutMs: 120_000 });
  }
}
