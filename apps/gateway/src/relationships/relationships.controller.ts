import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Put, Query, Req, Res } from '@nestjs/common';
import { Subjects, type IncomingRelationship, type Relationship } from '@odt/contracts';
import { RpcClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, callOf, single } from '../http/request-context';
import { Requires } from '../auth/data-actions';

interface Page<T> {
  value: T[];
  nextLink: string | null;
}

/** ADT endpoints 11–16: relationships. */
@Controller('digitaltwins/:id')
export class RelationshipsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('relationships')
  @Requires('digitaltwins/relationships/read')
  async list(
    @Param('id') twinId: string,
    @Query() query: Record<string, unknown>,
    @Headers('max-items-per-page') maxItems: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<Page<Relationship>> {
    const page = await this.rpc.request(Subjects.RelationshipsList, {
      twinId,
      relationshipName: single(query.relationshipName) || undefined,
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    }, callOf(req));
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get('incomingrelationships')
  @Requires('digitaltwins/relationships/read')
  async incoming(
    @Param('id') twinId: string,
    @Query() query: Record<string, unknown>,
    @Headers('max-items-per-page') maxItems: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<Page<IncomingRelationship>> {
    const page = await this.rpc.request(Subjects.RelationshipsListIncoming, {
      twinId,
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    }, callOf(req));
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get('relationships/:relationshipId')
  @Requires('digitaltwins/relationships/read')
  async get(
    @Param('id') sourceId: string,
    @Param('relationshipId') relationshipId: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Relationship> {
    const relationship = await this.rpc.request(Subjects.RelationshipsGet, { sourceId, relationshipId }, callOf(req));
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
    const relationship = await this.rpc.request(Subjects.RelationshipsUpsert, { sourceId, relationshipId, relationship: body, ifNoneMatch }, callOf(req));
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
    const { etag } = await this.rpc.request(Subjects.RelationshipsPatch, { sourceId, relationshipId, patch, ifMatch }, callOf(req));
    void reply.header('etag', etag);
  }

  @Delete('relationships/:relationshipId')
  @Requires('digitaltwins/relationships/delete')
  @HttpCode(204)
  async delete(
    @Param('id') sourceId: string,
    @Param('relationshipId') relationshipId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<void> {
    await this.rpc.request(Subjects.RelationshipsDelete, { sourceId, relationshipId, ifMatch }, callOf(req));
  }
}
