import { serviceDataSourceOptions } from '@odt/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CreateRouting1764000000005 } from './migrations/1764000000005-create-routing';

export const ROUTING_SCHEMA = 'routing';

export function routingDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: ROUTING_SCHEMA,
    entities: [],
    migrations: [CreateRouting1764000000005],
    poolSize,
    applicationName: 'event-router',
  });
}
