import { databaseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

export const relationshipsConfigSchema = databaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8103),
  OUTBOX_RELAY: z.enum(['on', 'off']).default('on'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** How often the outbox relay announces its watermark to the history service (0: never). */
  OUTBOX_WATERMARK_MS: z.coerce.number().int().min(0).default(200),
  /** Events the outbox relay reads and publishes side by side per cycle. */
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(256),
  OUTBOX_BATCH_MAX: z.coerce.number().int().min(1).max(20_000).default(2048),
  /** How long a published event stays in the outbox, marked, for inspection (0: deleted once in JetStream). */
  OUTBOX_KEEP_PUBLISHED_MS: z.coerce.number().int().min(0).default(0),
  MODEL_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  MODEL_CACHE_MAX_MODELS: z.coerce.number().int().min(1).default(1000),
  /** Beyond ADT (which ignores it): reject relationships past the DTDL maxMultiplicity. */
  ENFORCE_MAX_MULTIPLICITY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  RELATIONSHIPS_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
});

export type RelationshipsConfig = z.infer<typeof relationshipsConfigSchema>;
export const loadRelationshipsConfig = (env = process.env): RelationshipsConfig => loadConfig(relationshipsConfigSchema, env);
export const RELATIONSHIPS_CONFIG = Symbol('RELATIONSHIPS_CONFIG');
