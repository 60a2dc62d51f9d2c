import { SetMetadata } from '@nestjs/common';

/**
 * ADT's data actions (reference §8, without the `Microsoft.DigitalTwins/` prefix), plus ours for
 * the API ADT keeps in its control plane (endpoints), the live stream and the audit log.
 */
export const DATA_ACTIONS = [
  'models/read', 'models/write', 'models/delete', 'models/action',
  'digitaltwins/read', 'digitaltwins/write', 'digitaltwins/delete', 'digitaltwins/action',
  'digitaltwins/relationships/read', 'digitaltwins/relationships/write', 'digitaltwins/relationships/delete',
  'query/action',
  'eventroutes/read', 'eventroutes/write', 'eventroutes/delete',
  'jobs/read', 'jobs/write', 'jobs/delete', 'jobs/action',
  // Ours:
  'endpoints/read', 'endpoints/write', 'endpoints/delete', 'endpoints/action',
  'events/read',
  'audit/read',
  // Connections (feeds into twins): manage them; `send` is only the HTTP messages of an http connection, for device tokens.
  'connections/read', 'connections/write', 'connections/delete', 'connections/action', 'connections/send',
  // Forgetting a twin's history (DELETE /digitaltwins/{id}/history); Data Owner only.
  'digitaltwins/history/delete',
] as const;

export type DataAction = (typeof DATA_ACTIONS)[number];

const ACTION_PREFIX = 'Microsoft.DigitalTwins/';
const REQUIRED_ACTION = Symbol('REQUIRED_ACTION');

/** The data action an API operation needs. Every gateway route declares one, or is refused. */
export const Requires = (action: DataAction): MethodDecorator => SetMetadata(REQUIRED_ACTION, action);
export const requiredActionOf = (handler: object): DataAction | undefined => Reflect.getMetadata(REQUIRED_ACTION, handler) as DataAction | undefined;

/** ADT's built-in roles, as sets of data action patterns. */
export const BUILT_IN_ROLES = {
  /** Azure Digital Twins Data Owner: everything. */
  owner: ['*'],
  /** Azure Digital Twins Data Reader: read twins, relationships, models and routes, run queries. */
  reader: ['digitaltwins/read', 'digitaltwins/relationships/read', 'eventroutes/read', 'models/read', 'query/action', 'endpoints/read', 'events/read'],
} as const;

/** `digitaltwins/*` covers `digitaltwins/read` and `digitaltwins/relationships/write`; `*` covers all. */
export function patternCovers(pattern: string, action: DataAction): boolean {
  const p = pattern.startsWith(ACTION_PREFIX) ? pattern.slice(ACTION_PREFIX.length) : pattern;
  if (p === '*' || p === action) return true;
  return p.endsWith('/*') && action.startsWith(p.slice(0, -1));
}

export class RoleDefinitionError extends Error {}

/** Parses and checks AUTH_CUSTOM_ROLES: each role a non-empty list of known actions or patterns. */
export function parseCustomRoles(json: string): Record<string, string[]> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new RoleDefinitionError('AUTH_CUSTOM_ROLES is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RoleDefinitionError('AUTH_CUSTOM_ROLES must be a JSON object of role name to data actions.');
  for (const [role, actions] of Object.entries(value)) {
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === 'string')) {
      throw new RoleDefinitionError(`AUTH_CUSTOM_ROLES: role ${role} must list its data actions.`);
    }
    const unknown = (actions as string[]).filter((a) => !DATA_ACTIONS.some((known) => patternCovers(a, known)));
    if (unknown.length > 0) throw new RoleDefinitionError(`AUTH_CUSTOM_ROLES: role ${role} names unknown data actions: ${unknown.join(', ')}.`);
  }
  return value as Record<string, string[]>;
}

/** Role names (from the token) to the data action patterns they grant. */
export class RoleMap {
  private readonly roles = new Map<string, readonly string[]>();

  constructor(ownerRole: string, readerRole: string, custom: Record<string, string[]>) {
    for (const [name, actions] of Object.entries(custom)) this.roles.set(name, actions);
    this.roles.set(ownerRole, BUILT_IN_ROLES.owner);
    this.roles.set(readerRole, BUILT_IN_ROLES.reader);
  }

  allows(roles: readonly string[], action: DataAction): boolean {
    return roles.some((role) => this.roles.get(role)?.some((pattern) => patternCovers(pattern, action)) ?? false);
  }
}
