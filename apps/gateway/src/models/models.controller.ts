import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { Subjects, type ModelData } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { Inject } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, parseBoolean, single } from '../http/request-context';
import { Requires } from '../auth/data-actions';

/** ADT endpoints 1–5: DTDL models. */
@Controller('models')
export class ModelsController {
  constructor(
    private readonly services: InternalClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @Requires('models/action')
  @HttpCode(201)
  create(@Body() body: unknown): Promise<ModelData[]> {
    return this.services.request(Subjects.ModelsCreate, { models: body as unknown[] }, { timeoutMs: 120_000 });
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
    const page = await this.services.request(Subjects.ModelsList, {
      dependenciesFor,
      includeModelDefinition: parseBoolean('includeModelDefinition', query.includeModelDefinition),
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get(':id')
  @Requires('models/read')
  get(@Param('id') id: string, @Query('includeModelDefinition') include: unknown): Promise<ModelData> {
    return this.services.request(Subjects.ModelsGet, { id, includeModelDefinition: parseBoolean('includeModelDefinition', include) });
  }

  @Patch(':id')
  @Requires('models/write')
  @HttpCode(204)
  async decommission(@Param('id') id: string, @Body() patch: unknown): Promise<void> {
    await this.services.request(Subjects.ModelsDecommission, { id, patch });
  }

  @Delete(':id')
  @Requires('models/delete')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.services.request(Subjects.ModelsDelete, { id });
  }
}
