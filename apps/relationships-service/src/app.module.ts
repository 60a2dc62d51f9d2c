import { Module, type DynamicModule } from '@nestjs/common';
import { OutboxRelayModule } from '@odt/outbox';
import { serviceFoundation } from '@odt/service-runtime';
import { ModelCatalogModule } from '@odt/model-catalog';
import { RELATIONSHIPS_CONFIG, type RelationshipsConfig } from './config';
import { RELATIONSHIPS_SCHEMA, relationshipsDataSourceOptions } from './database/data-source';
import { RelationshipEvents } from './relationships/relationship-events';
import { RelationshipsHandlers } from './relationships/relationships.handlers';
import { RelationshipsRepository } from './relationships/relationships.repository';
import { RelationshipsService } from './relationships/relationships.service';
import { RelationshipsImportController } from './import/relationships-import.controller';
import { RelationshipsImportRepository } from './import/relationships-import.repository';
import { RelationshipsImportService } from './import/relationships-import.service';

export const SERVICE_NAME = 'relationships-service';

@Module({})
export class RelationshipsAppModule {
  static forRoot(config: RelationshipsConfig): DynamicModule {
    return {
      module: RelationshipsAppModule,
      imports: [
        ...serviceFoundation(SERVICE_NAME, config, {
          database: { url: config.DATABASE_URL, options: relationshipsDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE) },
        }),
        OutboxRelayModule.forRoot(config, { schema: RELATIONSHIPS_SCHEMA }),
        ModelCatalogModule.forRoot({ ttlMs: config.MODEL_CACHE_TTL_MS, maxModels: config.MODEL_CACHE_MAX_MODELS }),
      ],
      providers: [
        { provide: RELATIONSHIPS_CONFIG, useValue: config },
        RelationshipsRepository,
        RelationshipEvents,
        RelationshipsService,
        RelationshipsImportRepository,
        RelationshipsImportService,
      ],
      controllers: [RelationshipsHandlers, RelationshipsImportController],
    };
  }
}
