import { serviceDataSourceOptions } from '@odt/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CreateSavedQueries1764000000030 } from './migrations/1764000000030-create-saved-queries';

/** The gateway's own tables: what the Explorer keeps per user on the server (saved queries). */
export const EXPLORER_SCHEMA = 'explorer';

export function gatewayDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: EXPLORER_SCHEMA,
    entities: [],
    migrations: [CreateSavedQueries1764000000030],
    poolSize,
    applicationName: 'gateway',
  });
}
