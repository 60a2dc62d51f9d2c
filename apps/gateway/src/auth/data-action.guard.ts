import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { parseCustomRoles, requiredActionOf, RoleMap } from './data-actions';
import { isPublicRoute } from '../http/public-route';
import { hasOpenAccess } from './http-security';

/**
 * Authorisation: the caller's roles must grant the data action the route declares (`@Requires`).
 * A route that declares none is refused (fail closed), probes and public pages (`@PublicRoute`) excepted.
 */
@Injectable()
export class DataActionGuard implements CanActivate {
  private readonly roles: RoleMap;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.roles = new RoleMap(config.AUTH_OWNER_ROLE, config.AUTH_READER_ROLE, parseCustomRoles(config.AUTH_CUSTOM_ROLES));
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (isPublicRoute(request)) return true;
    const action = requiredActionOf(context.getHandler());
    if (!action) throw new DomainError('Forbidden', 'This operation is not available.');
    request.dataAction = action;
    const caller = request.caller;
    if (!caller) throw new DomainError('Unauthorized', 'The request is not authenticated.');
    if (hasOpenAccess(caller) || this.roles.allows(caller.roles, action)) return true;
    throw new DomainError('Forbidden', `The caller is not allowed to perform ${action} (Microsoft.DigitalTwins/${action}).`);
  }
}
