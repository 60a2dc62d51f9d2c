import { Module, type DynamicModule } from '@nestjs/common';
import { OutboxRelayModule } from '@odt/outbox';
import { serviceFoundation } from '@odt/service-runtime';
import { ModelCatalogModule } from '@odt/model-catalog';
import { batchControllers, batchProviders } from './batch/batch.providers';
import { TWINS_CONFIG, type TwinsConfig } from './config';
import { TWINS_SCHEMA, twinsDataSourceOptions } from './database/data-source';
import { TelemetryService } from './twins/telemetry.service';
import { TwinEvents } from './twins/twin-events';
import { TwinsHandlers } from './twins/twins.handlers';
import { TwinsRepository } from './twins/twins.repository';
import { TwinsService } from './twins/twins.service';
import { TwinsImportController } from './import/twins-import.controller';
import { TwinsImportRepository } from './import/twins-import.repository';
import { TwinsImportService } from './import/twins-import.service';

export const SERVICE_NAME = 'twins-service';

@Module({})
export class TwinsAppModule {
  static forRoot(config: TwinsConfig): DynamicModule {
    return {
      module: TwinsAppModule,
      imports: [
        ...serviceFoundation(SERVICE_NAME, config, {
          database: { url: config.DATABASE_URL, options: twinsDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE) },
        }),
        OutboxRelayModule.forRoot(config, { schema: TWINS_SCHEMA }),
        ModelCatalogModule.forRoot({ ttlMs: config.MODEL_CACHE_TTL_MS, maxModels: config.MODEL_CACHE_MAX_MODELS }),
      ],
      providers: [
        { provide: TWINS_CONFIG, useValue: config },
        TwinsRepository,
        TwinEvents,
        TwinsService,
        TelemetryService,
        ...batchProviders,
        TwinsImportRepository,
        TwinsImportService,
      ],
      controllers: [TwinsHandlers, ...batchControllers, TwinsImportController],
    };
  }
}
