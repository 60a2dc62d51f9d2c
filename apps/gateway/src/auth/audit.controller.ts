import { Controller, Get, Headers, Inject, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize } from '../http/request-context';
import { AuditLog, type AuditEntry } from './audit-log';
import { parseAuditQuery } from './audit-query';
import { Requires } from './data-actions';

/**
 * Beyond ADT: the audit log of writes and refused calls, newest first (`order=asc`: oldest
 * first), filtered by time range, caller, data action, method, target and outcome, paged like
 * ADT's lists. A page reads at most AUDIT_SCAN_LIMIT entries, so a rare match never makes one
 * request scan 90 days: the page may then be short, with a nextLink to go on.
 */
@Controller('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditLog,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @Requires('audit/read')
  async list(@Query() query: Record<string, unknown>, @Headers('max-items-per-page') maxItems: string | undefined, @Req() req: FastifyRequest): Promise<{ value: AuditEntry[]; nextLink: string | null }> {
    const q = parseAuditQuery(query);
    const limit = Math.min(pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE), 1000);
    const page = await this.audit.list(q, limit, this.config.AUDIT_SCAN_LIMIT);
    return { value: page.value, nextLink: page.next === undefined ? null : nextLink(req, String(page.next)) };
  }
}
