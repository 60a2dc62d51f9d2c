import { DynamicModule, Module } from '@nestjs/common';
import { MODEL_CACHE_TTL_MS, ModelCatalog } from './model-catalog';

/** Provides `ModelCatalog`; needs `MessagingModule` (global) in the application. */
@Module({})
export class ModelCatalogModule {
  static forRoot(options: { ttlMs: number }): DynamicModule {
    return {
      module: ModelCatalogModule,
      providers: [{ provide: MODEL_CACHE_TTL_MS, useValue: options.ttlMs }, ModelCatalog],
      exports: [ModelCatalog],
    };
  }
}
