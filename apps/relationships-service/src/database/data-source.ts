import { serviceDataSourceOptions } from '@odt/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CreateRelationshipsSchema1764000000002 } from './migrations/1764000000002-create-relationships-schema';
import { CreateRelationships1764000000003 } from './migrations/1764000000003-create-relationships';
import { RelationshipImportBatches1764000013002 } from './migrations/1764000013002-relationship-import-batches';
import { RelationshipOutboxDeleteOnPublish1764000020002 } from './migrations/1764000020002-relationship-outbox-delete-on-publish';

export const RELATIONSHIPS_SCHEMA = 'relationships';

export function relationshipsDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return serviceDataSourceOptions({
    url,
    schema: RELATIONSHIPS_SCHEMA,
    entities: [],
    migrations: [CreateRelationshipsSchema1764000000002, CreateRelationships1764000000003, RelationshipImportBatches1764000013002, RelationshipOutboxDeleteOnPublish1764000020002],
    poolSize,
    applicationName: 'relationships-service',
  });
}
