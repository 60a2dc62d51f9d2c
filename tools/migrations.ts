import type { DataSourceOptions } from 'typeorm';
import { connectorDataSourceOptions } from '../apps/connector/src/database/data-source';
import { routingDataSourceOptions } from '../apps/event-router/src/database/data-source';
import { gatewayDataSourceOptions } from '../apps/gateway/src/database/data-source';
import { modelsDataSourceOptions } from '../apps/models-service/src/database/data-source';
import { historyDataSourceOptions } from '../apps/history-service/src/database/data-source';
import { jobsDataSourceOptions } from '../apps/jobs-service/src/database/data-source';
import { relationshipsDataSourceOptions } from '../apps/relationships-service/src/database/data-source';
import { twinsDataSourceOptions } from '../apps/twins-service/src/database/data-source';

/** Every service's migrations, in the order they run (each in its own schema). */
export function allDataSourceOptions(url: string): DataSourceOptions[] {
  return [modelsDataSourceOptions(url, 2), twinsDataSourceOptions(url, 2), relationshipsDataSourceOptions(url, 2), routingDataSourceOptions(url, 2), historyDataSourceOptions(url, 2), connectorDataSourceOptions(url, 2), jobsDataSourceOptions(url, 2), gatewayDataSourceOptions(url, 2)];
}
