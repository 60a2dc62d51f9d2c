import { databaseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

export const twinsConfigSchema = databaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8102),
  /** How long a model's flattened form is trusted without a change notice. */
  MODEL_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  /** Most models a replica keeps (least recently used dropped first). */
  MODEL_CACHE_MAX_MODELS: z.coerce.number().int().min(1).default(1000),
  /** Twins a replica keeps its last copy of, so a write can skip reading the row (0: off). */
  RECENT_TWINS_CACHE_SIZE: z.coerce.number().int().min(0).default(50_000),
  /** Run the outbox relay in this process (off for a dedicated relay process). */
  OUTBOX_RELAY: z.enum(['on', 'off']).default('on'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** How often the outbox relay announces its watermark to the history service (0: never). */
  OUTBOX_WATERMARK_MS: z.coerce.number().int().min(0).default(200),
  /** Events the outbox relay reads and publishes side by side per cycle. */
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(256),
  OUTBOX_BATCH_MAX: z.coerce.number().int().min(1).max(20_000).default(2048),
  /** How long a published event stays in the outbox, marked, for inspection (0: deleted once in JetStream). */
  OUTBOX_KEEP_PUBLISHED_MS: z.coerce.number().int().min(0).default(0),
  /** Largest stored twin (properties, components and `$metadata` as JSON); ADT's limit is 32 KB. */
  TWIN_MAX_BYTES: z.coerce.number().int().min(1024).default(32 * 1024),
  /** Most operations in one `POST /batch` (odt.graph.batch). */
  BATCH_MAX_OPERATIONS: z.coerce.number().int().min(1).default(1000),
  /** Most twin patches in one `odt.twins.patch-many` (the connectors' write). */
  PATCH_MANY_MAX_ITEMS: z.coerce.number().int().min(1).default(2000),
  /** As the relationships service's setting of the same name: batches write relationships too. */
  ENFORCE_MAX_MULTIPLICITY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

export type TwinsConfig = z.infer<typeof twinsConfigSchema>;
export const TWINS_CONFIG = Symbol('TWINS_CONFIG');
export const loadTwinsConfig = (env = process.env): TwinsConfig => loadConfig(twinsConfigSchema, env);
