import { databaseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

export const routerConfigSchema = databaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8104),
  /** Stream of events no endpoint took; default `<EVENTS_STREAM>_DEADLETTER`. */
  DEADLETTER_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  /** A YAML file of endpoints and routes, applied at start and on every change (routes as code). */
  ROUTES_FILE: z.string().min(1).optional(),
  /** Per endpoint: twins whose events are delivered side by side (each twin's one at a time, in order). */
  ENDPOINT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  /** Per endpoint: events received and not yet acknowledged (its consumer's `max_ack_pending`). */
  ENDPOINT_MAX_PENDING: z.coerce.number().int().min(1).max(100_000).default(10_000),
  ROUTES_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
});

export type RouterConfig = z.infer<typeof routerConfigSchema>;
export const ROUTER_CONFIG = Symbol('ROUTER_CONFIG');
export const loadRouterConfig = (env = process.env): RouterConfig => loadConfig(routerConfigSchema, env);
