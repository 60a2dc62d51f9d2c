export * from './model-catalog';
export * from './model-catalog.module';
