import { serviceDataSourceOptions } from '@odt/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CreateTwins1764000000001 } from './migrations/1764000000001-create-twins';
import { TwinModelAncestry1764000000004 } from './migrations/1764000000004-twin-model-ancestry';
import { TwinDocumentIndex1764000000006 } from './migrations/1764000000006-twin-document-index';
import { TwinCount1764000000007 } from './migrations/1764000000007-twin-count';
import { TwinProperties1764000000008 } from './migrations/1764000000008-twin-properties';
import { TwinImportBatches1764000013001 } from './migrations/1764000013001-twin-import-batches';
import { TwinPropertyWrites1764000019001 } from './migrations/1764000019001-twin-property-writes';
import { TwinPropertyInserts1764000019002 } from './migrations/1764000019002-twin-property-inserts';
import { TwinOutboxDeleteOnPublish1764000020001 } from './migrations/1764000020001-twin-outbox-delete-on-publish';

export const TWINS_SCHEMA = 'twins';

export function twinsDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: TWINS_SCHEMA,
    entities: [],
    migrations: [CreateTwins1764000000001, TwinModelAncestry1764000000004, TwinDocumentIndex1764000000006, TwinCount1764000000007, TwinProperties1764000000008, TwinImportBatches1764000013001, TwinPropertyWrites1764000019001, TwinPropertyInserts1764000019002, TwinOutboxDeleteOnPublish1764000020001],
    poolSize,
    applicationName: 'twins-service',
  });
}
