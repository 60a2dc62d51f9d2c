import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Put, Query, Req } from '@nestjs/common';
import { Subjects, type Endpoint } from '@odt/contracts';
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
}
