import { DynamicModule, Module } from '@nestjs/common';
import { MODEL_CATALOG_OPTIONS, ModelCatalog, type ModelCatalogOptions } from './model-catalog';

/** Provides `ModelCatalog`; needs `MessagingModule` (global) in the application. */
@Module({})
export class ModelCatalogModule {
  static forRoot(options: ModelCatalogOptions): DynamicModule {
    return {
      module: ModelCatalogModule,
      providers: [{ provide: MODEL_CATALOG_OPTIONS, useValue: options }, ModelCatalog],
      exports: [ModelCatalog],
    };
  }
}
