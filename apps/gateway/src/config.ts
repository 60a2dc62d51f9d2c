import { baseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

export const gatewayConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Largest request body: a whole ontology in one `POST /models` fits; ADT caps twins at 32 KB separately. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  TWIN_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(32 * 1024),
  /** Proxies whose X-Forwarded-Proto/Host are believed (nextLink URLs); Fastify `trustProxy` syntax. */
  TRUST_PROXY: z.string().default('loopback'),
  /** Page size when the caller sends no `max-items-per-page`. */
  DEFAULT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const loadGatewayConfig = (env = process.env): GatewayConfig => loadConfig(gatewayConfigSchema, env);
