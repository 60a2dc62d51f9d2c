import { serviceDataSourceOptions } from '@odt/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CreateJobs1764000013004 } from './migrations/1764000013004-create-jobs';

export const JOBS_SCHEMA = 'jobs';

export function jobsDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: JOBS_SCHEMA,
    entities: [],
    migrations: [CreateJobs1764000013004],
    poolSize,
    applicationName: 'jobs-service',
  });
}
