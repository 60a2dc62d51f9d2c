import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Req, Res } from '@nestjs/common';
import { Subjects } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Requires } from '../auth/data-actions';

/** ADT endpoints 17–18: a twin's components. The ETag is always the twin's. */
@Controller('digitaltwins')
export class ComponentsController {
  constructor(private readonly services: InternalClient) {}

  @Get(':id/components/:componentPath')
  @Requires('digitaltwins/read')
  async get(
    @Param('id') id: string,
    @Param('componentPath') component: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const got = await this.services.request(Subjects.ComponentsGet, { id, component });
    void reply.header('etag', got.etag);
    return got.component;
  }

  @Patch(':id/components/:componentPath')
  @Requires('digitaltwins/write')
  @HttpCode(204)
  async patch(
    @Param('id') id: string,
    @Param('componentPath') component: string,
    @Body() patch: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const { etag } = await this.services.request(Subjects.ComponentsPatch, { id, component, patch, ifMatch });
    void reply.header('etag', etag);
  }
}
