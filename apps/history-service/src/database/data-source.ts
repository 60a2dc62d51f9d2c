import { serviceDataSourceOptions } from '@odt/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CreateHistory1764000000008 } from './migrations/1764000000008-create-history';

export const HISTORY_SCHEMA = 'history';

export function historyDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: HISTORY_SCHEMA,
    entities: [],
    migrations: [CreateHistory1764000000008],
    poolSize,
    applicationName: 'history-service',
  });
}
