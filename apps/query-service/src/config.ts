import { databaseConfigSchema, loadConfig, querySettingsShape } from '@odt/service-kit';
import { z } from 'zod';

export const queryConfigSchema = databaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8105),
  /** Where queries read: the primary by default (read-your-writes); a read replica if set. */
  QUERY_DATABASE_URL: z.string().url().optional(),
  ...querySettingsShape,
  /**
   * Prepared statements per pooled connection (each query shape run twice gets one); 0 runs every
   * query unnamed, e.g. behind a pooler in transaction mode that does not carry them.
   */
  QUERY_PREPARED_STATEMENTS: z.coerce.number().int().min(0).default(200),
});

export type QueryConfig = z.infer<typeof queryConfigSchema>;
export const QUERY_CONFIG = Symbol('QUERY_CONFIG');
export const loadQueryConfig = (env = process.env): QueryConfig => loadConfig(queryConfigSchema, env);
