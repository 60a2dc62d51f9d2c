import { serviceDataSourceOptions } from '@odt/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CreateConnector1764000000015 } from './migrations/1764000000015-create-connector';

export const CONNECTOR_SCHEMA = 'connector';

export function connectorDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: CONNECTOR_SCHEMA,
    entities: [],
    migrations: [CreateConnector1764000000015],
    poolSize,
    applicationName: 'connector',
  });
}
