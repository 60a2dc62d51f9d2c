import { databaseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

export const modelsConfigSchema = databaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8101),
  /** ADT caps an upload at 250 models; we accept far more in one all-or-nothing call. */
  MODELS_MAX_PER_UPLOAD: z.coerce.number().int().min(1).default(5000),
  MODELS_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
});

export type ModelsConfig = z.infer<typeof modelsConfigSchema>;
export const MODELS_CONFIG = Symbol('MODELS_CONFIG');
export const loadModelsConfig = (env = process.env): ModelsConfig => loadConfig(modelsConfigSchema, env);
