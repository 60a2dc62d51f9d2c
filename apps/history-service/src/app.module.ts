import { Global, Module, type DynamicModule } from '@nestjs/common';
import { serviceFoundation } from '@odt/service-runtime';
import { HISTORY_CONFIG, type HistoryConfig } from './config';
import { historyDataSourceOptions } from './database/data-source';
import { HistoryIngest } from './ingest/history-ingest';
import { HistoryWriter } from './ingest/history-writer';
import { InternedIds } from './ingest/interned';
import { HistoryMaintenance } from './maintenance/history-maintenance';
import { HistoryOrigin } from './maintenance/history-origin';
import { AsOfQueryService } from './reads/as-of-query.service';
import { HistoryEvents } from './reads/history-events';
import { HistoryHandlers } from './reads/history.handlers';
import { HistoryReads } from './reads/history-reads.service';
import { HistoryWatermark } from './watermark/history-watermark';

export const SERVICE_NAME = 'history-service';

/** Global so that the readiness checks (in the service kit) can show the watermark. */
@Global()
@Module({})
class HistoryWatermarkModule {
  static forRoot(config: HistoryConfig): DynamicModule {
    return {
      module: HistoryWatermarkModule,
      providers: [{ provide: HISTORY_CONFIG, useValue: config }, HistoryWatermark],
      exports: [HISTORY_CONFIG, HistoryWatermark],
    };
  }
}

@Module({})
export class HistoryAppModule {
  static forRoot(config: HistoryConfig): DynamicModule {
    return {
      module: HistoryAppModule,
      imports: [
        HistoryWatermarkModule.forRoot(config),
        ...serviceFoundation(SERVICE_NAME, config, {
          database: { url: config.DATABASE_URL, options: historyDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE) },
          readiness: {
            inject: [HistoryWatermark],
            // Lag does not make a replica unready (it still answers older moments): it is shown.
            useFactory: (watermark: HistoryWatermark) => [{ name: 'history', check: async () => undefined, details: () => watermark.details() }],
          },
        }),
      ],
      providers: [InternedIds, HistoryWriter, HistoryOrigin, HistoryIngest, HistoryMaintenance, HistoryReads, AsOfQueryService, HistoryEvents],
      controllers: [HistoryHandlers],
    };
  }
}
