import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { AS_OF_TOKEN_PREFIX, DomainError, Subjects } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageSize } from '../http/request-context';
import { Requires } from '../auth/data-actions';

/** Default page of a query when the caller sends no `max-items-per-page` (ADT: 100). */
const DEFAULT_QUERY_PAGE = 100;

/** ADT endpoint 6: `POST /query`. */
@Controller('query')
export class QueryController {
  constructor(private readonly services: InternalClient) {}

  @Post()
  @Requires('query/action')
  @HttpCode(200)
  async query(
    @Body() body: unknown,
    @Headers('max-items-per-page') maxItems: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { query, continuationToken, asOf } = querySpecification(body);
    const request = { query, continuationToken, maxItemsPerPage: pageSize(maxItems, DEFAULT_QUERY_PAGE) };
    // Extension: `asOf` beside `query` evaluates it on the graph as it was (the history service).
    const historical = asOf !== undefined || continuationToken?.startsWith(AS_OF_TOKEN_PREFIX);
    const page = historical
      ? await this.services.request(Subjects.HistoryQuery, { ...request, asOf }, { timeoutMs: 65_000 })
      : await this.services.request(Subjects.QueryRun, request, { timeoutMs: 65_000 });
    void reply.header('query-charge', page.charge.toFixed(2)).header('content-type', 'application/json; charset=utf-8');
    // The rows arrive as JSON text and leave as it: neither parsed nor serialised again here.
    return `{"value":${page.valueJson},"continuationToken":${JSON.stringify(page.continuationToken)}}`;
  }
}

/** `{query, asOf?}` or `{continuationToken}` (the query is then ignored, as in ADT). */
function querySpecification(body: unknown): { query?: string; continuationToken?: string; asOf?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('BadRequest', 'The request body must be a JSON object with a query or a continuationToken.');
  }
  const { query, continuationToken, asOf } = body as Record<string, unknown>;
  if (continuationToken !== undefined && continuationToken !== null) {
    if (typeof continuationToken !== 'string') throw new DomainError('BadRequest', 'An invalid continuationToken was provided.');
    return { continuationToken };
  }
  if (typeof query !== 'string' || query.trim() === '') throw new DomainError('BadRequest', 'The request body must contain a query.');
  if (asOf !== undefined && typeof asOf !== 'string') throw new DomainError('InvalidArgument', 'asOf must be an ISO 8601 date-time string.');
  return asOf === undefined ? { query } : { query, asOf };
}
