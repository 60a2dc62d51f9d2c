import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { Subjects, type ModelData } from '@odt/contracts';
import { RpcClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { Inject } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, parseBoolean, callOf, single } from '../http/request-context';
import { Requires } from '../auth/data-actions';

/** ADT endpoints 1–5: DTDL models. */
@Controller('models')
export class ModelsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @Requires('models/action')
  @HttpCode(201)
  create(@Body() body: unknown, @Req() req: FastifyRequest): Promise<ModelData[]> {
    return this.rpc.request(Subjects.ModelsCreate, { models: body as unknown[] }, { ...callOf(req), timeoutMs: 120_000 });
  }

  @Get()
  @Requires('models/read')
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
    }, callOf(req));
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get(':id')
  @Requires('models/read')
  get(@Param('id') id: string, @Query('includeModelDefinition') include: unknown, @Req() req: FastifyRequest): Promise<ModelData> {
    return this.rpc.request(Subjects.ModelsGet, { id, includeModelDefinition: parseBoolean('includeModelDefinition', include) }, callOf(req));
  }

  @Patch(':id')
  @Requires('models/write')
  @HttpCode(204)
  async decommission(@Param('id') id: string, @Body() patch: unknown, @Req() req: FastifyRequest): Promise<void> {
    await this.rpc.request(Subjects.ModelsDecommission, { id, patch }, callOf(req));
  }

  @Delete(':id')
  @Requires('models/delete')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() req: FastifyRequest): Promise<void> {
    await this.rpc.request(Subjects.ModelsDelete, { id }, callOf(req));
  }
}
