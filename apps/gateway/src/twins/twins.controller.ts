import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Put, Query, Req, Res } from '@nestjs/common';
import { DomainError, Subjects, type DigitalTwin } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerActions } from '../auth/caller-actions';
import { Requires } from '../auth/data-actions';
import { asOfOf, AT_HISTORICAL_TIMESTAMP } from '../history/as-of';

/** ADT endpoints 7–10: digital twins. */
@Controller('digitaltwins')
export class TwinsController {
  constructor(
    private readonly services: InternalClient,
    private readonly actions: CallerActions,
  ) {}

  @Get(':id')
  @Requires('digitaltwins/read')
  async get(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Headers(AT_HISTORICAL_TIMESTAMP) atHistorical: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DigitalTwin> {
    // Extension: `?asOf=` (or Ditto's header) reads the twin as it was then, from history.
    const asOf = asOfOf(query, atHistorical);
    const twin = asOf === undefined
      ? await this.services.request(Subjects.TwinsGet, { id })
      : await this.services.request(Subjects.HistoryTwinGet, { id, asOf });
    void reply.header('etag', twin.$etag);
    return twin;
  }

  @Put(':id')
  @Requires('digitaltwins/write')
  async upsert(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DigitalTwin> {
    const twin = await this.services.request(Subjects.TwinsUpsert, { id, twin: body, ifNoneMatch });
    void reply.header('etag', twin.$etag);
    return twin;
  }

  @Patch(':id')
  @Requires('digitaltwins/write')
  @HttpCode(204)
  async patch(
    @Param('id') id: string,
    @Body() patch: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const { etag } = await this.services.request(Subjects.TwinsPatch, { id, patch, ifMatch });
    void reply.header('etag', etag);
  }

  @Delete(':id')
  @Requires('digitaltwins/delete')
  @HttpCode(204)
  async delete(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Query('cascade') cascade: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<void> {
    // Extension: `?cascade=true` deletes the twin's relationships, both directions, with it.
    if (cascadeOf(cascade)) {
      this.actions.require(req, ['digitaltwins/relationships/delete']);
      await this.services.request(Subjects.TwinsDeleteCascade, { id, ifMatch }, { timeoutMs: 60_000 });
      return;
    }
    await this.services.request(Subjects.TwinsDelete, { id, ifMatch });
  }
}

function cascadeOf(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new DomainError('InvalidArgument', 'cascade must be true or false.');
}
