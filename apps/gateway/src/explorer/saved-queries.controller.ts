import { Body, Controller, Delete, Get, HttpCode, Param, Put, Req } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import type { FastifyRequest } from 'fastify';
import { Requires } from '../auth/data-actions';
import { SavedQueriesRepository, type SavedQuery } from './saved-queries.repository';

const NAME = /^[^\x00-\x1f/]{1,100}$/;
const MAX_QUERY = 8000;

/** Whose queries: the token's subject, or `anonymous` with authentication off (loopback only). */
const ownerOf = (req: FastifyRequest): string => `${req.caller?.type ?? 'unauthenticated'}:${req.caller?.id ?? 'anonymous'}`;

/**
 * Beyond ADT: the Explorer's saved queries, kept on the server per user (ADT Explorer kept them
 * in one browser's localStorage). Whoever may run queries may keep their own.
 */
@Controller('savedqueries')
export class SavedQueriesController {
  constructor(private readonly queries: SavedQueriesRepository) {}

  @Get()
  @Requires('query/action')
  async list(@Req() req: FastifyRequest): Promise<{ value: SavedQuery[] }> {
    return { value: await this.queries.list(ownerOf(req)) };
  }

  @Put(':name')
  @Requires('query/action')
  put(@Param('name') name: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<SavedQuery> {
    if (!NAME.test(name)) throw new DomainError('InvalidArgument', 'A saved query name is 1 to 100 characters, without / or control characters.');
    const query = (body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string' || query.trim() === '') throw new DomainError('InvalidArgument', 'The body is {"query": "<the query text>"}.');
    if (query.length > MAX_QUERY) throw new DomainError('InvalidArgument', `A query is at most ${MAX_QUERY} characters.`);
    return this.queries.put(ownerOf(req), name, query);
  }

  @Delete(':name')
  @Requires('query/action')
  @HttpCode(204)
  async delete(@Param('name') name: string, @Req() req: FastifyRequest): Promise<void> {
    if (!(await this.queries.delete(ownerOf(req), name))) throw new DomainError('SavedQueryNotFound', `You have no saved query named ${name}.`);
  }
}
