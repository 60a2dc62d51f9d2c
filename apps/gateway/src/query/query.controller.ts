import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { DomainError, Subjects } from '@odt/contracts';
import { RpcClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callOf, pageSize } from '../http/request-context';
import { Requires } from '../auth/data-actions';

/** Default page of a query when the caller sends no `max-items-per-page` (ADT: 100). */
const DEFAULT_QUERY_PAGE = 100;

/** ADT endpoint 6: `POST /query`. */
@Controller('query')
export class QueryController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @Requires('query/action')
  @HttpCode(200)
  async query(
    @Body() body: unknown,
    @Headers('max-items-per-page') maxItems: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { query, continuationToken } = querySpecification(body);
    const page = await this.rpc.request(Subjects.QueryRun, {
      query,
      continuationToken,
      maxItemsPerPage: pageSize(maxItems, DEFAULT_QUERY_PAGE),
    }, { ...callOf(req), timeoutMs: 65_000 });
    void reply.header('query-charge', page.charge.toFixed(2)).header('content-type', 'application/json; charset=utf-8');
    // The rows arrive as JSON text and leave as it: neither parsed nor serialised again here.
    return `{"value":${page.valueJson},"continuationToken":${JSON.stringify(page.continuationToken)}}`;
  }
}

/** `{query}` or `{continuationToken}` (the query is then ignored, as in ADT). */
function querySpecification(body: unknown): { query?: string; continuationToken?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('BadRequest', 'The request body must be a JSON object with a query or a continuationToken.');
  }
  const { query, continuationToken } = body as Record<string, unknown>;
  if (continuationToken !== undefined && continuationToken !== null) {
    if (typeof continuationToken !== 'string') throw new DomainError('BadRequest', 'An invalid continuationToken was provided.');
    return { continuationToken };
  }
  if (typeof query !== 'string' || query.trim() === '') throw new DomainError('BadRequest', 'The request body must contain a query.');
  return { query };
}
