import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { Subjects, type Connection, type ConnectionDeadLetter, type ConnectionReplayReply, type SendConnectionMessagesReply, type TestConnectionReply } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { Requires } from '../auth/data-actions';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, single } from '../http/request-context';

/** Headers of an HTTP message a mapping may read (`headers` of its envelope). */
const FORWARDED_HEADERS = ['content-type', 'message-id', 'x-device-id', 'x-ms-client-request-id'];

/** Extension: connections, declarative feeds from devices and business systems into twins (docs/connections.md). */
@Controller('connections')
export class ConnectionsController {
  constructor(
    private readonly services: InternalClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @Requires('connections/read')
  async list(@Query() query: Record<string, unknown>, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: Connection[]; nextLink: string | null }> {
    const page = await this.services.request(Subjects.ConnectionsList, {
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get(':name')
  @Requires('connections/read')
  get(@Param('name') name: string): Promise<Connection> {
    return this.services.request(Subjects.ConnectionsGet, { name });
  }

  @Put(':name')
  @Requires('connections/write')
  put(@Param('name') name: string, @Body() connection: unknown): Promise<Connection> {
    return this.services.request(Subjects.ConnectionsPut, { name, connection });
  }

  @Delete(':name')
  @Requires('connections/delete')
  @HttpCode(204)
  async delete(@Param('name') name: string): Promise<void> {
    await this.services.request(Subjects.ConnectionsDelete, { name });
  }

  /** An http connection's messages: one JSON value, or an array of them; `202` once stored for mapping. */
  @Post(':name/messages')
  @Requires('connections/send')
  @HttpCode(202)
  send(@Param('name') name: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<SendConnectionMessagesReply> {
    const headers: Record<string, string> = {};
    for (const h of FORWARDED_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    return this.services.request(Subjects.ConnectionsSend, { name, messages: Array.isArray(body) ? body : [body], headers }, { timeoutMs: 30_000 });
  }

  /** Runs the mapping on a sample message and shows the operations, applying nothing. */
  @Post(':name/test')
  @Requires('connections/action')
  @HttpCode(200)
  test(@Param('name') name: string, @Body() sample: unknown): Promise<TestConnectionReply> {
    return this.services.request(Subjects.ConnectionsTest, { name, sample });
  }

  @Get(':name/deadletters')
  @Requires('connections/read')
  deadLetters(@Param('name') name: string, @Headers('max-items-per-page') maxItems: string | undefined): Promise<{ value: ConnectionDeadLetter[] }> {
    return this.services.request(Subjects.ConnectionDeadLettersList, { name, maxItemsPerPage: pageSize(maxItems, 100) });
  }

  @Post(':name/deadletters/replay')
  @Requires('connections/action')
  @HttpCode(200)
  replay(@Param('name') name: string): Promise<ConnectionReplayReply> {
    return this.services.request(Subjects.ConnectionDeadLettersReplay, { name }, { timeoutMs: 120_000 });
  }
}
