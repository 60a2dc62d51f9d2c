import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { Subjects, type ModelData } from '@odt/contracts';
import { RpcClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { Inject } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, parseBoolean, requestIdOf, single } from '../http/request-context';

/** ADT endpoints 1–5: DTDL models. */
@Controller('models')
export class ModelsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown, @Req() req: FastifyRequest): Promise<ModelData[]> {
    return this.rpc.request(Subjects.ModelsCreate, { models: body as unknown[] }, { requestId: requestIdOf(req), timeoutMs: 120_000 });
  }

  @Get()
  async list(
    @Query() query: Record<string, unknown>,
    @Headers('max-items-per-page') maxItems: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<{ value: ModelData[]; nextLink: string | null }> {
    const raw = query.dependenciesFor;
    const dependenciesFor = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
      .flatMap((v) => String(v).split(','))
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    const page = await this.rpc.request(Subjects.ModelsList, {
      dependenciesFor,
      includeModelDefinition: parseBoolean('includeModelDefinition', query.includeModelDefinition),
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    }, { requestId: requestIdOf(req) });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get(':id')
  get(@Param('id') id: string, @Query('includeModelDefinition') include: unknown, @Req() req: FastifyRequest): Promise<ModelData> {
    return this.rpc.request(Subjects.ModelsGet, { id, includeModelDefinition: parseBoolean('includeModelDefinition', include) }, { requestId: requestIdOf(req) });
  }

  @Patch(':id')
  @HttpCode(204)
  async decommission(@Param('id') id: string, @Body() patch: unknown, @Req() req: FastifyRequest): Promise<void> {
    await this.rpc.request(Subjects.ModelsDecommission, { id, patch }, { requestId: requestIdOf(req) });
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() req: FastifyRequest): Promise<void> {
    await this.rpc.request(Subjects.ModelsDelete, { id }, { requestId: requestIdOf(req) });
  }
}
