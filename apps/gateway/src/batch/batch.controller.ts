import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { DomainError, Subjects, type GraphBatchReply } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { CallerActions } from '../auth/caller-actions';
import { Requires, type DataAction } from '../auth/data-actions';

/** The data action of each batch operation, as for its single-operation route. */
const ACTION_OF: Record<string, DataAction> = {
  putTwin: 'digitaltwins/write',
  patchTwin: 'digitaltwins/write',
  deleteTwin: 'digitaltwins/delete',
  putRelationship: 'digitaltwins/relationships/write',
  patchRelationship: 'digitaltwins/relationships/write',
  deleteRelationship: 'digitaltwins/relationships/delete',
};

/** Extension: `POST /batch`, twin and relationship writes applied all together or not at all. */
@Controller('batch')
export class BatchController {
  constructor(
    private readonly services: InternalClient,
    private readonly actions: CallerActions,
  ) {}

  @Post()
  @Requires('digitaltwins/write')
  @HttpCode(200)
  batch(@Body() body: unknown, @Req() req: FastifyRequest): Promise<GraphBatchReply> {
    const operations = typeof body === 'object' && body !== null ? (body as { operations?: unknown }).operations : undefined;
    if (!Array.isArray(operations)) throw new DomainError('InvalidArgument', 'The body must be {"operations": [...]}.');
    // Unknown ops are the twins service's to name; only known ones need more than the route's action.
    this.actions.require(req, operations.flatMap((o) => {
      const action = ACTION_OF[(o as { op?: string } | null)?.op ?? ''];
      return action ? [action] : [];
    }));
    return this.services.request(Subjects.GraphBatch, { operations }, { timeoutMs: 60_000 });
  }
}
