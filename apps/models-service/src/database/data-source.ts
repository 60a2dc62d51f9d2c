import { serviceDataSourceOptions } from '@odt/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CreateModels1764000000000 } from './migrations/1764000000000-create-models';
import { ModelImportBatches1764000013003 } from './migrations/1764000013003-model-import-batches';

export const MODELS_SCHEMA = 'models';

/** Shared by the running service and the migration runner. */
export function modelsDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: MODELS_SCHEMA,
    entities: [],
    migrations: [CreateModels1764000000000, ModelImportBatches1764000013003],
    poolSize,
    applicationName: 'models-service',
  });
}
