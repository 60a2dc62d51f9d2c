import 'reflect-metadata';
import { bootstrapService, runIfMain } from '@odt/service-kit';
import { QueryAppModule } from './app.module';
import { loadQueryConfig, type QueryConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startQueryService = (config: QueryConfig, handleSignals = true) =>
  bootstrapService(QueryAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'query-service', () => startQueryService(loadQueryConfig()));
