import { databaseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

export const queryConfigSchema = databaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8105),
  /** Where queries read: the primary by default (read-your-writes); a read replica if set. */
  QUERY_DATABASE_URL: z.string().url().optional(),
  /** Signs continuation tokens; replicas must share it. Unset: a random key per process. */
  QUERY_TOKEN_SECRET: z.string().min(16).optional(),
  QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  QUERY_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
  QUERY_MAX_LENGTH: z.coerce.number().int().min(100).default(8000),
  QUERY_MAX_TERMS: z.coerce.number().int().min(1).default(50),
  QUERY_MAX_IN_ITEMS: z.coerce.number().int().min(1).default(50),
  /**
   * Prepared statements per pooled connection (each query shape run twice gets one); 0 runs every
   * query unnamed, e.g. behind a pooler in transaction mode that does not carry them.
   */
  QUERY_PREPARED_STATEMENTS: z.coerce.number().int().min(0).default(200),
});

export type QueryConfig = z.infer<typeof queryConfigSchema>;
export const QUERY_CONFIG = Symbol('QUERY_CONFIG');
export const loadQueryConfig = (env = process.env): QueryConfig => loadConfig(queryConfigSchema, env);
