import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { parseCustomRoles, RoleMap, type DataAction } from './data-actions';
import { hasOpenAccess } from './http-security';

/**
 * For routes whose body decides what they do (`POST /batch`, a cascading delete): the data
 * actions beyond the route's own (`@Requires`), checked once the body is known.
 */
@Injectable()
export class CallerActions {
  private readonly roles: RoleMap;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.roles = new RoleMap(config.AUTH_OWNER_ROLE, config.AUTH_READER_ROLE, parseCustomRoles(config.AUTH_CUSTOM_ROLES));
  }

  require(request: FastifyRequest, actions: Iterable<DataAction>): void {
    const caller = request.caller;
    if (!caller) throw new DomainError('Unauthorized', 'The request is not authenticated.');
    if (hasOpenAccess(caller)) return;
    for (const action of new Set(actions)) {
      if (!this.roles.allows(caller.roles, action)) {
        throw new DomainError('Forbidden', `The caller is not allowed to perform ${action} (Microsoft.DigitalTwins/${action}).`);
      }
    }
  }
}
