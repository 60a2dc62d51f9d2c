import 'reflect-metadata';
import { runIfMain } from '@odt/service-kit';
import { startService } from '@odt/service-runtime';
import { QueryAppModule } from './app.module';
import { loadQueryConfig, type QueryConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startQueryService = (config: QueryConfig, handleSignals = true) =>
  startService(QueryAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'query-service', () => startQueryService(loadQueryConfig()));
