import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Put, Req, Res } from '@nestjs/common';
import { Subjects, type DigitalTwin } from '@odt/contracts';
import { RpcClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callOf } from '../http/request-context';
import { Requires } from '../auth/data-actions';

/** ADT endpoints 7–10: digital twins. */
@Controller('digitaltwins')
export class TwinsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get(':id')
  @Requires('digitaltwins/read')
  async get(@Param('id') id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<DigitalTwin> {
    const twin = await this.rpc.request(Subjects.TwinsGet, { id }, callOf(req));
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
    const twin = await this.rpc.request(Subjects.TwinsUpsert, { id, twin: body, ifNoneMatch }, callOf(req));
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
    const { etag } = await this.rpc.request(Subjects.TwinsPatch, { id, patch, ifMatch }, callOf(req));
    void reply.header('etag', etag);
  }

  @Delete(':id')
  @Requires('digitaltwins/delete')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Req() req: FastifyRequest): Promise<void> {
    await this.rpc.request(Subjects.TwinsDelete, { id, ifMatch }, callOf(req));
  }
}
