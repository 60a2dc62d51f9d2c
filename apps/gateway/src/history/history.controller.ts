import { Controller, Delete, Get, Headers, Inject, Param, Query, Req } from '@nestjs/common';
import { DomainError, HISTORY_AGGREGATES, Subjects, type AggregatedValue, type HistoryAggregate, type PropertyValue, type PurgeHistoryReply } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyRequest } from 'fastify';
import { Requires } from '../auth/data-actions';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, single } from '../http/request-context';

/** Extension: a twin's recorded property values (NGSI-LD's temporal query is the model), and the purge. */
@Controller('digitaltwins/:id/history')
export class HistoryController {
  constructor(
    private readonly services: InternalClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @Requires('digitaltwins/read')
  async values(
    @Param('id') twinId: string,
    @Query() query: Record<string, unknown>,
    @Headers('max-items-per-page') maxItems: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<{ value: (PropertyValue | AggregatedValue)[]; nextLink: string | null }> {
    const aggregate = single(query.aggregate);
    if (aggregate !== undefined && !(HISTORY_AGGREGATES as readonly string[]).includes(aggregate)) {
      throw new DomainError('InvalidArgument', `aggregate must be one of ${HISTORY_AGGREGATES.join(', ')}.`);
    }
    const lastN = single(query.lastN);
    if (lastN !== undefined && !/^\d{1,9}$/.test(lastN)) throw new DomainError('InvalidArgument', 'lastN must be a positive integer.');
    const page = await this.services.request(Subjects.HistoryPropertyValues, {
      twinId,
      property: single(query.property) || undefined,
      from: single(query.from),
      to: single(query.to),
      lastN: lastN === undefined ? undefined : Number(lastN),
      aggregate: aggregate as HistoryAggregate | undefined,
      interval: single(query.interval),
      maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE),
      cursor: single(query.continuationToken),
    });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Delete()
  @Requires('digitaltwins/history/delete')
  purge(@Param('id') twinId: string): Promise<PurgeHistoryReply> {
    return this.services.request(Subjects.HistoryPurge, { twinId });
  }
}
