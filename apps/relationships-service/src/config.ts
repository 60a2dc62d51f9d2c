import { baseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

export const relationshipsConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8103),
  OUTBOX_RELAY: z.enum(['on', 'off']).default('on'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
});

export type RelationshipsConfig = z.infer<typeof relationshipsConfigSchema>;
export const loadRelationshipsConfig = (env = process.env): RelationshipsConfig => loadConfig(relationshipsConfigSchema, env);
