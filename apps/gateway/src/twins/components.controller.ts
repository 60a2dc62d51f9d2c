import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Req, Res } from '@nestjs/common';
import { Subjects } from '@odt/contracts';
import { RpcClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from '../http/request-context';

/** ADT endpoints 17–18: a twin's components. The ETag is always the twin's. */
@Controller('digitaltwins')
export class ComponentsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get(':id/components/:componentPath')
  async get(
    @Param('id') id: string,
    @Param('componentPath') component: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const got = await this.rpc.request(Subjects.ComponentsGet, { id, component }, { requestId: requestIdOf(req) });
    void reply.header('etag', got.etag);
    return got.component;
  }

  @Patch(':id/components/:componentPath')
  @HttpCode(204)
  async patch(
    @Param('id') id: string,
    @Param('componentPath') component: string,
    @Body() patch: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const { etag } = await this.rpc.request(Subjects.ComponentsPatch, { id, component, patch, ifMatch }, { requestId: requestIdOf(req) });
    void reply.header('etag', etag);
  }
}
