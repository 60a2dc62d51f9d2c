import { serviceDataSourceOptions } from '@odt/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CreateHistory1764000000008 } from './migrations/1764000000008-create-history';
import { TwinsOfModelsAt1764000000009 } from './migrations/1764000000009-twins-of-models-at';
import { TwinStatesFromDay1764000014001 } from './migrations/1764000014001-twin-states-from-day';
import { CompactedPartitions1764000014010 } from './migrations/1764000014010-compacted-partitions';
import { DropTwinStatesFromDay1764000014011 } from './migrations/1764000014011-drop-twin-states-from-day';
import { StateFillfactor1764000025001 } from './migrations/1764000025001-state-fillfactor';

export const HISTORY_SCHEMA = 'history';

export function historyDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: HISTORY_SCHEMA,
    entities: [],
    migrations: [CreateHistory1764000000008, TwinsOfModelsAt1764000000009, TwinStatesFromDay1764000014001, CompactedPartitions1764000014010, DropTwinStatesFromDay1764000014011, StateFillfactor1764000025001],
    poolSize,
    applicationName: 'history-service',
  });
}
