import { createHash } from 'node:crypto';
import { ApiError, DigitalTwinsApi, staticToken } from '@odt/client';
import type { McpConfig } from './config';

export interface Access {
  canWrite: boolean;
  modelIds: string[];
}

export class Unauthenticated extends Error {}

/**
 * Who the caller is, asked of the gateway: its token goes to the gateway, which verifies it (and
 * answers 401 when it is not valid) on every API call; the MCP server never accepts a token the
 * gateway would not. A token the gateway accepted is genuine, so its roles claim tells whether the
 * caller writes (only a hint for which tools to offer: every write is still authorised by the gateway).
 */
export class AccessResolver {
  private readonly cache = new Map<string, { access: Access; until: number }>();

  constructor(private readonly config: McpConfig) {}

  api(token: string | undefined): DigitalTwinsApi {
    return new DigitalTwinsApi({ endpoint: this.config.MCP_API_URL, credential: staticToken(token), retry: { maxRetries: 1 } });
  }

  async resolve(token: string | undefined): Promise<Access> {
    const key = createHash('sha256').update(token ?? '').digest('hex');
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.access;
    let modelIds: string[] = [];
    try {
      modelIds = (await this.api(token).models.list().toArray({ maxItems: 500 })).map((m) => m.id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw new Unauthenticated(err.message);
      // 403: a caller without models/read may still use other tools; anything else shows in the tools' answers.
      if (!(err instanceof ApiError && err.status === 403)) throw err;
    }
    const roles = token ? rolesOf(token, this.config.MCP_ROLES_CLAIM) : undefined;
    // No token and the gateway let us in: it runs without authentication (loopback development).
    const canWrite = !this.config.MCP_READ_ONLY && (roles === undefined || roles.some((r) => this.config.MCP_WRITER_ROLES.includes(r)));
    const access = { canWrite, modelIds };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { access, until: Date.now() + this.config.MCP_AUTH_CACHE_MS });
    return access;
  }
}

/** The roles claim of a JWT the gateway has accepted (array, or space/comma separated; dotted names reach into objects). */
export function rolesOf(token: string, claim: string): string[] {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const value = payload[claim] ?? claim.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), payload);
    if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
    return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
