import { Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DtdlParser } from '@odt/dtdl';
import { serviceFoundation } from '@odt/service-runtime';
import { MODELS_CONFIG, type ModelsConfig } from './config';
import { modelsDataSourceOptions } from './database/data-source';
import { ModelsHandlers } from './models/models.handlers';
import { ModelsRepository } from './models/models.repository';
import { ModelsService } from './models/models.service';
import { ModelsImportController } from './import/models-import.controller';
import { ModelsImportService } from './import/models-import.service';

export const SERVICE_NAME = 'models-service';

/** Warms the parser's worker (WASM load and JIT) at boot, and stops it with the application. */
@Injectable()
class ParserLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly parser: DtdlParser) {}

  onApplicationBootstrap(): void {
    const warmUp = { '@id': 'dtmi:warmup:Boot;1', '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', contents: [{ '@type': 'Property', name: 'p', schema: 'double' }] };
    this.parser.parse([warmUp]).catch(() => undefined);
  }
  async onApplicationShutdown(): Promise<void> {
    await this.parser.close();
  }
}

@Module({})
export class ModelsAppModule {
  static forRoot(config: ModelsConfig): DynamicModule {
    return {
      module: ModelsAppModule,
      imports: [
        ...serviceFoundation(SERVICE_NAME, config, {
          database: { url: config.DATABASE_URL, options: modelsDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE) },
        }),
      ],
      providers: [
        { provide: MODELS_CONFIG, useValue: config },
        { provide: DtdlParser, useFactory: () => new DtdlParser() },
        ParserLifecycle,
        ModelsRepository,
        ModelsService,
        ModelsImportService,
      ],
      controllers: [ModelsHandlers, ModelsImportController],
    };
  }
}
