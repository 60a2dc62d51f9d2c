import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Put, Query, Req, Res } from '@nestjs/common';
import { Subjects, type IncomingRelationship, type Relationship } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, single } from '../http/request-context';
import { Requires } from '../auth/data-actions';
import { asOfOf, AT_HISTORICAL_TIMESTAMP } from '../history/as-of';

interface Page<T> {
  value: T[];
  nextLink: string | null;
}

/** ADT endpoints 11–16: relationships. */
@Controller('digitaltwins/:id')
export class RelationshipsController {
  constructor(
    private readonly services: InternalClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('relationships')
  @Requires('digitaltwins/relationships/read')
  async list(
    @Param('id') twinId: string,
    @Query() query: Record<string, unknown>,
    @Headers('max-items-per-page') maxItems: string | undefined,
    @Headers(AT_HISTORICAL_TIMESTAMP) atHistorical: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<Page<Relationship>> {
    const request = {
      twinId,
      relationshipName: single(query.relationshipName) || undefined,
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    };
    const asOf = asOfOf(query, atHistorical);
    const page = asOf === undefined
      ? await this.services.request(Subjects.RelationshipsList, request)
      : await this.services.request(Subjects.HistoryRelationshipsList, { ...request, asOf });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get('incomingrelationships')
  @Requires('digitaltwins/relationships/read')
  async incoming(
    @Param('id') twinId: string,
    @Query() query: Record<string, unknown>,
    @Headers('max-items-per-page') maxItems: string | undefined,
    @Headers(AT_HISTORICAL_TIMESTAMP) atHistorical: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<Page<IncomingRelationship>> {
    const request = { twinId, maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE), cursor: single(query.continuationToken) };
    const asOf = asOfOf(query, atHistorical);
    const page = asOf === undefined
      ? await this.services.request(Subjects.RelationshipsListIncoming, request)
      : await this.services.request(Subjects.HistoryRelationshipsIncoming, { ...request, asOf });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get('relationships/:relationshipId')
  @Requires('digitaltwins/relationships/read')
  async get(
    @Param('id') sourceId: string,
    @Param('relationshipId') relationshipId: string,
    @Query() query: Record<string, unknown>,
    @Headers(AT_HISTORICAL_TIMESTAMP) atHistorical: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Relationship> {
    const asOf = asOfOf(query, atHistorical);
    const relationship = asOf === undefined
      ? await this.services.request(Subjects.RelationshipsGet, { sourceId, relationshipId })
      : await this.services.request(Subjects.HistoryRelationshipGet, { sourceId, relationshipId, asOf });
    void reply.header('etag', relationship.$etag);
    return relationship;
  }

  @Put('relationships/:relationshipId')
  @Requires('digitaltwins/relationships/write')
  async upsert(
    @Param('id') sourceId: string,
    @Param('relationshipId') relationshipId: string,
    @Body() body: unknown,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Relationship> {
    const relationship = await this.services.request(Subjects.RelationshipsUpsert, { sourceId, relationshipId, relationship: body, ifNoneMatch });
    void reply.header('etag', relationship.$etag);
    return relationship;
  }

  @Patch('relationships/:relationshipId')
  @Requires('digitaltwins/relationships/write')
  @HttpCode(204)
  async patch(
    @Param('id') sourceId: string,
    @Param('relationshipId') relationshipId: string,
    @Body() patch: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const { etag } = await this.services.request(Subjects.RelationshipsPatch, { sourceId, relationshipId, patch, ifMatch });
    void reply.header('etag', etag);
  }

  @Delete('relationships/:relationshipId')
  @Requires('digitaltwins/relationships/delete')
  @HttpCode(204)
  async delete(
    @Param('id') sourceId: string,
    @Param('relationshipId') relationshipId: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.services.request(Subjects.RelationshipsDelete, { sourceId, relationshipId, ifMatch });
  }
}
