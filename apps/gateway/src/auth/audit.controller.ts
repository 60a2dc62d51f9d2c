import { Controller, Get, Headers, Inject, Query, Req } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, single } from '../http/request-context';
import { AuditLog, type AuditEntry } from './audit-log';
import { Requires } from './data-actions';

/** Beyond ADT: the audit log of writes, oldest first, paged like ADT's lists. */
@Controller('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditLog,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @Requires('audit/read')
  async list(@Query() query: Record<string, unknown>, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: AuditEntry[]; nextLink: string | null }> {
    const token = single(query.continuationToken);
    if (token !== undefined && !/^\d{1,15}$/.test(token)) throw new DomainError('InvalidArgument', 'The continuationToken is not one this service issued.');
    const limit = Math.min(pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE), 1000);
    const value = await this.audit.list(Number(token ?? 0), limit);
    const last = value.at(-1)?.sequence;
    return { value, nextLink: value.length === limit && last !== undefined ? nextLink(req, String(last)) : null };
  }
}
